/** Everything the bot says to citizens, in Vietnamese and in English. Short, polite, and always with the next step. */

export type Lang = 'vi' | 'en';

export interface Texts {
  welcome: string;
  menuActions: { ask: string; status: string; faq: string };
  help: string;
  cancelled: string;
  askQuestion: string;
  questionTooShort: string;
  questionTooLong: (max: number) => string;
  rephrase: string;
  flaggedAnyway: string;
  similarFound: (items: Array<{ q: string; question: string; answer: string }>) => string;
  similarHelped: string;
  yesNoRetry: string;
  similarGlad: string;
  askName: string;
  nameRetry: string;
  askContact: string;
  contactRetry: string;
  askLocality: string;
  skipWord: string;
  localityUnknown: string;
  summary: (p: { question: string; agency: string; triage: boolean; answerDue: string; acceptDue: string; name: string; contact: string; locality: string }) => string;
  confirmActions: { yes: string; no: string };
  filed: (p: { ticket: string; agency: string; triage: boolean; acceptDue: string; answerDue: string; notice: string }) => string;
  /** The question went over a daily limit: not filed, waiting for an editor. */
  held: (p: { id: number; overall: boolean }) => string;
  notFiled: string;
  askTicket: string;
  ticketRetry: string;
  ticketUnknown: (ticket: string) => string;
  status: (p: { ticket: string; status: string; agency: string; answerDue?: string; answer?: string; answeredOn?: string }) => string;
  statusNames: Record<'submitted' | 'assigned' | 'accepted' | 'answered' | 'deleted', string>;
  askRating: string;
  ratingRetry: string;
  rated: (rating: number) => string;
  faqPrompt: string;
  faqHelped: string;
  faqGlad: string;
  faqNotFound: string;
  offerToAsk: string;
  /** The tickets this person filed (same chat identity), offered as buttons when they ask to look one up. */
  myQuestions: (tickets: string[]) => string;
  /** The message is not a question (mash, emoji, a scrap): nothing filed, the citizen is asked to write one. */
  notAQuestion: string;
  /** After "no" to "did it help?": what is still unclear, before anything is filed. */
  faqWhatUnclear: string;
  localityRetry: string;
  error: string;
  onlyText: string;
  messageTooLong: (max: number) => string;
}

const vi: Texts = {
  welcome:
    'Xin chào! Tôi là trợ lý Hỏi - Đáp của Cổng Thông tin điện tử tỉnh Lào Cai. Tôi có thể:\n' +
    '1. Gửi câu hỏi của bạn đến cơ quan có thẩm quyền trả lời;\n' +
    '2. Tra cứu câu hỏi đã gửi (theo mã HD-...);\n' +
    '3. Giải đáp thủ tục hành chính thường gặp.\n' +
    'Bạn cứ nhập câu hỏi, hoặc chọn một mục bên dưới.',
  menuActions: { ask: 'Gửi câu hỏi', status: 'Tra cứu câu hỏi', faq: 'Thủ tục thường gặp' },
  help:
    'Bạn có thể nhập câu hỏi bằng tiếng Việt có dấu hoặc không dấu. Gõ "hủy" để dừng bước đang làm, "menu" để về danh mục, ' +
    'hoặc gửi mã câu hỏi (ví dụ HD-2023-000123) để tra cứu.',
  cancelled: 'Đã hủy. Bạn có thể nhập câu hỏi mới hoặc chọn một mục bên dưới.',
  askQuestion: 'Mời bạn nhập nội dung câu hỏi (nêu rõ sự việc, địa điểm nếu có).',
  questionTooShort: 'Câu hỏi hơi ngắn. Bạn vui lòng nêu rõ hơn nội dung cần hỏi (ít nhất 10 ký tự).',
  questionTooLong: (max) => `Câu hỏi dài quá ${max} ký tự. Bạn vui lòng rút gọn lại.`,
  rephrase:
    'Câu hỏi có từ ngữ không phù hợp với quy chế của chuyên mục. Bạn vui lòng diễn đạt lại một cách lịch sự để cơ quan có thể tiếp nhận.',
  flaggedAnyway: 'Câu hỏi vẫn được ghi nhận và sẽ được Ban biên tập xem xét trước khi chuyển cơ quan trả lời.',
  similarFound: (items) =>
    'Đã có câu hỏi tương tự được trả lời:\n' +
    items.map((i) => `• ${i.q}: ${i.question}\n  Trả lời: ${i.answer}\n  Xem đầy đủ: /hoi-dap/${i.q}`).join('\n'),
  similarHelped: 'Câu trả lời trên đã giải đáp thắc mắc của bạn chưa? (Có / Không)',
  yesNoRetry: 'Bạn vui lòng trả lời "Có" hoặc "Không".',
  similarGlad: 'Rất vui vì thông tin đã giúp được bạn. Bạn cần hỏi thêm gì cứ nhập câu hỏi nhé.',
  askName: 'Để cơ quan trả lời, bạn vui lòng cho biết họ và tên.',
  nameRetry: 'Bạn vui lòng nhập họ và tên thật (2 đến 80 ký tự, ví dụ: Nguyễn Văn An) để cơ quan trả lời đúng người.',
  askContact: 'Bạn vui lòng cho biết số điện thoại hoặc email để nhận thông báo khi có trả lời.',
  contactRetry: 'Số điện thoại hoặc email chưa đúng (ví dụ 0912345678 hoặc ten@example.com). Bạn vui lòng nhập lại.',
  askLocality: 'Bạn đang ở xã/phường nào, huyện/thị xã/thành phố nào? (gõ "bỏ qua" nếu không muốn cho biết)',
  skipWord: 'bỏ qua',
  localityUnknown: 'Tôi chưa nhận ra địa danh này, nhưng vẫn ghi lại như bạn đã nhập.',
  summary: (p) =>
    `Xin xác nhận lại:\n• Câu hỏi: ${p.question}\n• Người hỏi: ${p.name} (${p.contact})${p.locality ? `, ${p.locality}` : ''}\n` +
    (p.triage
      ? `• Ban biên tập sẽ chuyển câu hỏi đến cơ quan có thẩm quyền (dự kiến: ${p.agency}).\n`
      : `• Cơ quan trả lời: ${p.agency}\n`) +
    `• Hạn tiếp nhận: ${p.acceptDue}; hạn trả lời: ${p.answerDue} (theo ngày làm việc).\nBạn có đồng ý gửi không? (Có / Không)`,
  confirmActions: { yes: 'Có', no: 'Không' },
  filed: (p) =>
    `Đã gửi câu hỏi. Mã câu hỏi của bạn: ${p.ticket}.\n` +
    (p.triage ? 'Ban biên tập sẽ chuyển câu hỏi đến cơ quan có thẩm quyền. ' : `Cơ quan trả lời: ${p.agency}. `) +
    `Hạn tiếp nhận ${p.acceptDue}, hạn trả lời ${p.answerDue}. ${p.notice} Bạn có thể gửi mã ${p.ticket} bất cứ lúc nào để tra cứu; khi có trả lời, câu trả lời cũng được đăng trên trang Hỏi - Đáp (/hoi-dap).`,
  held: (p) =>
    (p.overall
      ? 'Hôm nay hệ thống đã nhận quá nhiều câu hỏi, nên câu hỏi của bạn chưa được ghi nhận chính thức. '
      : 'Bạn đã gửi đủ số câu hỏi cho phép trong một ngày, nên câu hỏi này chưa được ghi nhận chính thức. ') +
    `Ban biên tập sẽ xem xét và quyết định tiếp nhận (số tham chiếu: C-${p.id}); nếu được tiếp nhận, câu trả lời sẽ được gửi tới bạn tại đây. Bạn không cần gửi lại.`,
  notFiled: 'Câu hỏi chưa được gửi. Bạn có thể nhập lại câu hỏi khi cần.',
  askTicket: 'Bạn vui lòng nhập mã câu hỏi (ví dụ HD-2023-000123).',
  ticketRetry: 'Mã câu hỏi có dạng HD-năm-6 chữ số, ví dụ HD-2023-000123. Bạn vui lòng nhập lại, hoặc gõ "hủy".',
  ticketUnknown: (t) => `Không tìm thấy câu hỏi ${t}. Bạn kiểm tra lại mã giúp tôi nhé.`,
  status: (p) =>
    `Câu hỏi ${p.ticket}: ${p.status}.\nCơ quan: ${p.agency}.` +
    (p.answer ? `\nTrả lời ngày ${p.answeredOn}:\n${p.answer}` : p.answerDue ? `\nHạn trả lời: ${p.answerDue}.` : ''),
  statusNames: {
    submitted: 'đang chờ phân loại',
    assigned: 'đang chờ cơ quan tiếp nhận',
    accepted: 'cơ quan đã tiếp nhận, đang xử lý',
    answered: 'đã có trả lời',
    deleted: 'đã bị xóa khỏi chuyên mục (trùng lặp hoặc không đúng quy chế)',
  },
  askRating: 'Bạn đánh giá mức độ hài lòng với câu trả lời thế nào? Chọn từ 1 (rất không hài lòng) đến 5 (rất hài lòng).',
  ratingRetry: 'Bạn vui lòng chọn một số từ 1 đến 5.',
  rated: (r) => `Cảm ơn bạn đã đánh giá ${r}/5. Ý kiến của bạn giúp các cơ quan phục vụ tốt hơn.`,
  faqPrompt: 'Bạn muốn tìm hiểu thủ tục nào? (ví dụ: khai tử, cấp lại sổ đỏ, sang tên xe, thẻ bảo hiểm y tế...)',
  faqHelped: 'Thông tin này có giúp ích cho bạn không? (Có / Không — nếu không, tôi sẽ giúp bạn gửi câu hỏi đến cơ quan)',
  faqGlad: 'Rất vui vì đã giúp được bạn.',
  faqNotFound: 'Tôi chưa có sẵn hướng dẫn cho nội dung này.',
  offerToAsk: 'Tôi sẽ giúp bạn gửi câu hỏi đến cơ quan có thẩm quyền.',
  myQuestions: (tickets) => `Các câu hỏi bạn đã gửi: ${tickets.join(', ')}. Bạn chọn một mã bên dưới hoặc nhập mã khác (ví dụ HD-2023-000123).`,
  notAQuestion:
    'Tôi chưa đọc được câu hỏi trong tin nhắn này. Bạn vui lòng viết câu hỏi bằng chữ (tiếng Việt có dấu hoặc không dấu, hoặc tiếng Anh), ' +
    'nêu rõ việc cần hỏi, ví dụ: "thủ tục cấp lại sổ đỏ bị mất" hoặc "lam can cuoc cho con 14 tuoi".',
  faqWhatUnclear: 'Bạn còn vướng mắc điều gì? Bạn vui lòng viết rõ điều còn chưa rõ (sự việc, địa điểm nếu có), tôi sẽ gửi đến cơ quan có thẩm quyền.',
  localityRetry: 'Tôi chưa đọc được địa danh này. Bạn vui lòng nhập tên xã/phường, huyện/thị xã/thành phố (ví dụ: phường Kim Tân, thành phố Lào Cai), hoặc gõ "bỏ qua".',
  error: 'Xin lỗi, hệ thống đang gặp sự cố. Bạn vui lòng thử lại sau ít phút.',
  onlyText: 'Hiện tôi chỉ đọc được tin nhắn chữ. Bạn vui lòng nhập nội dung bằng chữ nhé.',
  messageTooLong: (max) => `Tin nhắn quá dài (tối đa ${max.toLocaleString('vi-VN')} ký tự). Bạn vui lòng gửi nội dung ngắn hơn.`,
};

const en: Texts = {
  welcome:
    "Hello! I am the Q&A assistant of Lào Cai province's e-government portal. I can:\n" +
    '1. Send your question to the agency responsible;\n' +
    '2. Look up a question you sent (by its HD-... number);\n' +
    '3. Explain common administrative procedures.\n' +
    'Type your question, or choose below.',
  menuActions: { ask: 'Send a question', status: 'Check a question', faq: 'Common procedures' },
  help: 'Type your question in English or Vietnamese. Type "cancel" to stop the current step, "menu" for the menu, or send a question number (e.g. HD-2023-000123) to look it up.',
  cancelled: 'Cancelled. Type a new question or choose below.',
  askQuestion: 'Please type your question (what happened, and where, if relevant).',
  questionTooShort: 'Your question is a little short. Please give more detail (at least 10 characters).',
  questionTooLong: (max) => `Your question is longer than ${max} characters. Please shorten it.`,
  rephrase: 'Your message contains words that break the portal rules. Please rephrase it politely so the agency can accept it.',
  flaggedAnyway: 'Your question is recorded and will be reviewed by the editors before it goes to an agency.',
  similarFound: (items) => 'A similar question has already been answered:\n' + items.map((i) => `• ${i.q}: ${i.question}\n  Answer: ${i.answer}\n  Full text: /hoi-dap/${i.q}`).join('\n'),
  similarHelped: 'Does this answer your question? (Yes / No)',
  yesNoRetry: 'Please answer "Yes" or "No".',
  similarGlad: 'Glad it helped. Type any other question whenever you like.',
  askName: 'So that the agency can answer, please tell me your full name.',
  nameRetry: 'Please type your real full name (2 to 80 characters, e.g. Nguyen Van An) so that the agency can answer you.',
  askContact: 'Please give a phone number or an email address to be told when the answer is published.',
  contactRetry: 'That phone number or email does not look right (e.g. 0912345678 or name@example.com). Please type it again.',
  askLocality: 'Which commune/ward and district do you live in? (type "skip" if you prefer not to say)',
  skipWord: 'skip',
  localityUnknown: 'I do not recognise that place, but I have recorded it as you typed it.',
  summary: (p) =>
    `Please confirm:\n• Question: ${p.question}\n• From: ${p.name} (${p.contact})${p.locality ? `, ${p.locality}` : ''}\n` +
    (p.triage ? `• The editors will pass it to the agency responsible (likely: ${p.agency}).\n` : `• Agency: ${p.agency}\n`) +
    `• To be accepted by ${p.acceptDue} and answered by ${p.answerDue} (working days).\nSend it? (Yes / No)`,
  confirmActions: { yes: 'Yes', no: 'No' },
  filed: (p) =>
    `Your question has been sent. Its number is ${p.ticket}.\n` +
    (p.triage ? 'The editors will pass it to the agency responsible. ' : `Agency: ${p.agency}. `) +
    `To be accepted by ${p.acceptDue} and answered by ${p.answerDue}. ${p.notice} Send ${p.ticket} at any time to check it; once answered, the answer is also published on the Q&A page (/hoi-dap).`,
  held: (p) =>
    (p.overall ? 'The service has received too many questions today, so yours is not filed yet. ' : 'You have sent as many questions as allowed in one day, so this one is not filed yet. ') +
    `The editors will review it (reference C-${p.id}); if they accept it, the answer will reach you here. No need to send it again.`,
  notFiled: 'The question was not sent. Type it again whenever you need.',
  askTicket: 'Please type the question number (e.g. HD-2023-000123).',
  ticketRetry: 'A question number looks like HD-2023-000123. Please type it again, or type "cancel".',
  ticketUnknown: (t) => `I could not find question ${t}. Please check the number.`,
  status: (p) =>
    `Question ${p.ticket}: ${p.status}.\nAgency: ${p.agency}.` +
    (p.answer ? `\nAnswered on ${p.answeredOn}:\n${p.answer}` : p.answerDue ? `\nDue: ${p.answerDue}.` : ''),
  statusNames: {
    submitted: 'waiting to be routed',
    assigned: 'waiting for the agency to accept it',
    accepted: 'accepted by the agency, being handled',
    answered: 'answered',
    deleted: 'removed from the Q&A section (duplicate or against the rules)',
  },
  askRating: 'How satisfied are you with the answer? Choose from 1 (very unsatisfied) to 5 (very satisfied).',
  ratingRetry: 'Please choose a number from 1 to 5.',
  rated: (r) => `Thank you for your rating of ${r}/5. It helps the agencies serve you better.`,
  faqPrompt: 'Which procedure would you like to know about? (e.g. death registration, land certificate, vehicle transfer, health insurance card...)',
  faqHelped: 'Did this help? (Yes / No — if not, I will help you send a question to the agency)',
  faqGlad: 'Glad I could help.',
  faqNotFound: 'I do not have a ready answer for this.',
  offerToAsk: 'I will help you send your question to the agency responsible.',
  myQuestions: (tickets) => `The questions you sent: ${tickets.join(', ')}. Choose one below or type another number (e.g. HD-2023-000123).`,
  notAQuestion:
    'I could not read a question in that message. Please write your question in words (Vietnamese or English), ' +
    'saying what you need, for example "how do I replace a lost land title".',
  faqWhatUnclear: 'What is still unclear? Please write what you need to know (what happened, and where, if relevant) and I will send it to the agency responsible.',
  localityRetry: 'I could not read that place. Please type your commune/ward and district (e.g. Kim Tan ward, Lao Cai city), or type "skip".',
  error: 'Sorry, something went wrong on our side. Please try again in a few minutes.',
  onlyText: 'For now I can only read text messages. Please type your message.',
  messageTooLong: (max) => `Your message is too long (at most ${max.toLocaleString('en-US')} characters). Please send a shorter one.`,
};

export const TEXTS: Record<Lang, Texts> = { vi, en };
