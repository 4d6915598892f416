/**
 * What the use cases tell staff (Vietnamese, with diacritics): one table, kept apart from
 * the logic so that it can move into data/ with the rest of the staff wording.
 */
export const STAFF_NOTICES = {
  draftWaiting: (v: { q: string; agency: string; author: string; question: string; draft: string; changes?: string }) =>
    [
      `Dự thảo trả lời câu hỏi ${v.q} (${v.agency}) đang chờ duyệt.`,
      `Người soạn: ${v.author}`,
      `Câu hỏi: ${v.question}`,
      `Dự thảo: ${v.draft}`,
      ...(v.changes ? [v.changes] : []),
    ].join('\n'),
  draftButtons: (q: string) => [`Xem ${q}`, `Duyệt ${q}`, `Trả lại ${q}`],
  draftWaitingSubject: (q: string) => `[Hỏi - Đáp] Dự thảo trả lời câu hỏi ${q} chờ duyệt`,
  draftWaitingMailFooter: (q: string) =>
    `Để duyệt: liên kết tài khoản với Zalo, Messenger hoặc ô chat của Cổng rồi gửi "duyệt ${q}" (hoặc "duyệt ${q} <nội dung đã sửa>"), hoặc dùng trang quản trị /quan-tri.`,
  replacedDraft: 'Đã thay bằng dự thảo mới',
  approvedWithEdits: 'Duyệt có chỉnh sửa',
  approvedToAuthor: (q: string, edited: boolean) => `Câu trả lời câu hỏi ${q} đã được duyệt và đăng${edited ? ' (có chỉnh sửa)' : ''}.`,
  returnedToAuthor: (v: { q: string; by: string; comment: string }) => `Dự thảo trả lời câu hỏi ${v.q} đã bị trả lại (${v.by}).\nGóp ý: ${v.comment}\nVui lòng soạn lại và gửi dự thảo mới.`,
  returnedButtons: (q: string) => [`Soạn trả lời ${q}`],
  /** What changed since the version the approver returned (words added and removed). */
  changesSinceReturned: (added: readonly string[], removed: readonly string[]) =>
    added.length === 0 && removed.length === 0
      ? 'So với bản đã trả lại: không thay đổi.'
      : `So với bản đã trả lại: thêm «${added.join(' ') || '—'}»; bỏ «${removed.join(' ') || '—'}».`,
};
