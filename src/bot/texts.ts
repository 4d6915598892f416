import path from 'node:path';
import { z } from 'zod';
import { parseWith, readJsonFile } from '../config/data';
import { DEFAULT_DATA_DIR } from '../config/paths';
import { LINK_SHAPE } from '../app/accounts/link-code';
import { ADMIN_SHAPE, CHAT_SHAPE, CLI_SHAPE, CONSOLE_PAGES_SHAPE } from './staff-shapes';
import { BUTTON_SHAPE, NOTICE_SHAPE, staffNotices, type StaffNotices } from '../app/staff-texts';
import { fill, type Wording, type WordingShape } from '../domain/text';

/**
 * Everything hoidap says to people, kept as data, one file per language: data/texts/vi.json and
 * data/texts/en.json. Citizens are answered in Vietnamese or English (short, polite, always with the
 * next step); staff wording (statuses, roles, the sweeper's and the console's messages) and the API's error messages
 * are Vietnamese only, so they live in vi.json alone. Every key of the citizen section is required
 * in both files: a key missing from en.json is an error at start-up naming the file and the key,
 * never a silent fall-back to Vietnamese for someone who wrote in English.
 */

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
  /** The one-time code that confirms a portal citizen's contact before the question is filed. */
  confirmContact: {
    sent: (p: { where: string; length: number; minutes: number }) => string;
    where: (channel: 'email' | 'sms' | 'zns', contact: string) => string;
    codeShape: (length: number) => string;
    wrong: (left: number) => string;
    exhausted: string;
    expired: string;
    wait: (seconds: number) => string;
    limitContact: string;
    limitAddress: string;
    unreachable: Record<'emailOff' | 'phoneOff' | 'landline', string>;
    askOther: string;
    confirmed: (contact: string) => string;
    /** "tra cứu": a phone or e-mail instead of a ticket shows that contact's questions once confirmed. */
    lookupHint: string;
    noneForContact: (contact: string) => string;
    actions: { resend: string; change: string };
  };
  askLocality: string;
  skipWord: string;
  localityUnknown: string;
  summary: (p: { question: string; agency: string; triage: boolean; answerDue: string; acceptDue: string; name: string; contact: string; locality: string }) => string;
  /** The final "send it?" asked again: "cảm ơn" and other unclear replies do not send a question. */
  summaryRetry: string;
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
  /** "Câu hỏi của tôi" with no question filed from this identity: asks for a ticket. */
  myQuestionsNone: string;
  /** "Câu hỏi của tôi": this identity's questions, newest first, with status, deadlines and answers; `older` not listed. */
  myQuestionsList: (items: MyQuestionItem[], older: number) => string;
  /** The message is not a question (mash, emoji, a scrap): nothing filed, the citizen is asked to write one. */
  notAQuestion: string;
  /** After "no" to "did it help?": what is still unclear, before anything is filed. */
  faqWhatUnclear: string;
  localityRetry: string;
  error: string;
  onlyText: string;
  /** Photos sent while asking: kept with the question for the officers, never published. */
  photos: {
    kept: (p: { count: number; max: number }) => string;
    writeQuestion: string;
    outsideAsking: string;
    tooMany: (max: number) => string;
    refused: (maxMb: number) => string;
    filed: (count: number) => string;
  };
  messageTooLong: (max: number) => string;
}

/** One question in "câu hỏi của tôi" (dates already formatted). */
export interface MyQuestionItem {
  ticket: string;
  askedOn: string;
  question: string;
  status: string;
  agency: string;
  /** While not accepted yet. */
  acceptDue?: string;
  /** While open. */
  answerDue?: string;
  answeredOn?: string;
  answer?: string;
}

/** A text with placeholders `{name}`: each listed placeholder must appear in it, and no other. */
function template(...names: string[]) {
  return z.string({ error: (issue) => (issue.input === undefined ? 'missing' : 'must be a text') }).superRefine((value, ctx) => {
    if (value.trim() === '') ctx.addIssue({ code: 'custom', message: 'must not be empty' });
    const used = new Set([...value.matchAll(/\{([A-Za-z]+)\}/g)].map((m) => m[1]));
    const allowed = names.length === 0 ? 'this text takes none' : `this text may use ${names.map((n) => `{${n}}`).join(', ')}`;
    for (const name of used) if (!names.includes(name)) ctx.addIssue({ code: 'custom', message: `unknown placeholder {${name}} (${allowed})` });
    for (const name of names) if (!used.has(name)) ctx.addIssue({ code: 'custom', message: `must contain {${name}}` });
  });
}
const plain = template();

function section<T extends z.ZodRawShape>(shape: T) {
  return z.object(shape, { error: (issue) => (issue.code !== 'invalid_type' ? undefined : issue.input === undefined ? 'missing' : 'must be an object') }).strict();
}

/**
 * The shape of a section of staff wording: each key a text with the placeholders listed (`[]` for
 * none), or a nested section. `wording(shape)` checks a file's section against it: a missing or an
 * extra key, or a placeholder missing or unknown, is an error naming the key.
 */
function wording<const S extends WordingShape>(shape: S): z.ZodType<Wording<S>> {
  const entries = Object.entries(shape).map(([key, value]) => [key, Array.isArray(value) ? template(...(value as string[])) : wording(value as WordingShape)]);
  return section(Object.fromEntries(entries) as z.ZodRawShape) as unknown as z.ZodType<Wording<S>>;
}

const CitizenSchema = section({
  welcome: plain,
  menuActions: section({ ask: plain, status: plain, faq: plain }),
  help: plain,
  cancelled: plain,
  askQuestion: plain,
  questionTooShort: plain,
  questionTooLong: template('max'),
  rephrase: plain,
  flaggedAnyway: plain,
  similarFound: section({ heading: plain, item: template('q', 'question', 'answer') }),
  similarHelped: plain,
  yesNoRetry: plain,
  similarGlad: plain,
  askName: plain,
  nameRetry: plain,
  askContact: plain,
  contactRetry: plain,
  confirmContact: section({
    sent: template('length', 'where', 'minutes'),
    whereEmail: template('contact'),
    whereSms: template('contact'),
    whereZns: template('contact'),
    codeShape: template('length'),
    wrong: template('left'),
    exhausted: plain,
    expired: plain,
    wait: template('seconds'),
    limitContact: plain,
    limitAddress: plain,
    emailOff: plain,
    phoneOff: plain,
    landline: plain,
    askOther: plain,
    confirmed: template('contact'),
    lookupHint: plain,
    noneForContact: template('contact'),
    actions: section({ resend: plain, change: plain }),
  }),
  askLocality: plain,
  skipWord: plain,
  localityUnknown: plain,
  summary: section({
    text: template('question', 'name', 'contact', 'locality', 'agencyLine', 'acceptDue', 'answerDue'),
    locality: template('locality'),
    triage: template('agency'),
    agency: template('agency'),
  }),
  summaryRetry: plain,
  confirmActions: section({ yes: plain, no: plain }),
  filed: section({ text: template('ticket', 'agencyPart', 'acceptDue', 'answerDue', 'notice'), triage: plain, agency: template('agency') }),
  held: section({ text: template('why', 'id'), overall: plain, perAsker: plain }),
  notFiled: plain,
  askTicket: plain,
  ticketRetry: plain,
  ticketUnknown: template('ticket'),
  status: section({ text: template('ticket', 'status', 'agency'), answer: template('answeredOn', 'answer'), due: template('answerDue') }),
  statusNames: section({ submitted: plain, assigned: plain, accepted: plain, answered: plain, deleted: plain }),
  askRating: plain,
  ratingRetry: plain,
  rated: template('rating'),
  faqPrompt: plain,
  faqHelped: plain,
  faqGlad: plain,
  faqNotFound: plain,
  offerToAsk: plain,
  myQuestions: template('tickets'),
  myQuestionsNone: plain,
  myQuestionsList: section({
    heading: plain,
    item: template('ticket', 'askedOn', 'question', 'status', 'agency'),
    dues: template('acceptDue', 'answerDue'),
    answerDue: template('answerDue'),
    answer: template('answeredOn', 'answer', 'ticket'),
    older: template('count'),
    footer: plain,
  }),
  notAQuestion: plain,
  faqWhatUnclear: plain,
  localityRetry: plain,
  error: plain,
  onlyText: plain,
  photos: section({
    kept: template('count', 'max'),
    writeQuestion: plain,
    outsideAsking: plain,
    tooMany: template('max'),
    refused: template('maxMb'),
    filed: template('count'),
  }),
  messageTooLong: template('max'),
});

const StaffSchema = section({
  /** A question's status as staff read it, lower case, to sit in a sentence ("3 câu hỏi chờ tiếp nhận"). */
  questionStatus: section({ submitted: plain, assigned: plain, accepted: plain, answered: plain, deleted: plain }),
  role: section({ officer: plain, approver: plain, editor: plain, admin: plain }),
  deadline: section({ accept: plain, answer: plain }),
  deleteReason: section({ duplicate: plain, violation: plain, invalid_identity: plain, out_of_scope: plain }),
  overdueMark: plain,
  buttons: wording(BUTTON_SHAPE),
  notices: wording(NOTICE_SHAPE),
  link: wording(LINK_SHAPE),
  chat: wording(CHAT_SHAPE),
  admin: wording(ADMIN_SHAPE),
  cli: wording(CLI_SHAPE),
  /** "xem HD-...": how many photos the citizen sent and where staff see them (never published). */
  photosAttached: template('count', 'q'),
  sweeper: section({
    reminder: template('what', 'q', 'agency', 'dueDate', 'left'),
    lastDay: plain,
    daysLeft: template('days'),
    overdue: template('what', 'q', 'agency', 'days', 'dueDate'),
    caseLine: template('q', 'what', 'days', 'dueDate'),
    digestAgency: template('agency', 'date', 'count'),
    digestAll: template('date', 'count', 'agencies'),
    agencyHeading: template('agency'),
    more: template('count'),
    draftsAgency: template('agency', 'count'),
    draftsAll: template('count', 'agencies'),
    draftLine: template('q', 'days', 'sentDate', 'question'),
    undelivered: template('count', 'parts'),
    undeliveredDead: template('count'),
    undeliveredUnknown: template('count'),
  }),
  /** The web console's messages and its pages' wording (the markup stays with the pages in src/http/console/). */
  console: section({
    errorTitle: section({ forbidden: plain, not_found: plain, invalid_state: plain, invalid_input: plain }),
    done: section({ accept: plain, forward: plain, extend: plain, draft: plain, approve: plain, return: plain, delete: plain, assign: plain }),
    event: section({ submitted: plain, assigned: plain, forwarded: plain, accepted: plain, extended: plain, answered: plain, deleted: plain, rated: plain }),
    signIn: section({ expired: plain, otherSite: plain, blocked: template('minutes'), wrongCode: plain, wrongToken: plain, noSession: plain }),
    sessions: section({ method: section({ token: plain, link_code: plain }), revoked: plain, alreadyEnded: plain, adminsOnly: plain }),
    pages: wording(CONSOLE_PAGES_SHAPE),
  }),
});

/** The API's machine codes; `message` is this text, `error` stays the precise English for operators. */
export const API_ERROR_CODES = ['unauthorized', 'forbidden', 'not_found', 'invalid_state', 'invalid_input', 'too_large', 'internal'] as const;
export type ApiErrorKey = (typeof API_ERROR_CODES)[number];

const ApiSchema = section({ errors: section(Object.fromEntries(API_ERROR_CODES.map((c) => [c, plain])) as Record<ApiErrorKey, typeof plain>) });

const Locale = z.string({ error: (issue) => (issue.input === undefined ? 'missing' : 'must be a text') }).refine((l) => {
  try {
    return new Intl.NumberFormat(l).resolvedOptions().locale.length > 0;
  } catch {
    return false;
  }
}, 'must be a BCP 47 locale such as vi-VN');

const ViSchema = section({ locale: Locale, citizen: CitizenSchema, staff: StaffSchema, api: ApiSchema });
/** English serves citizens only: staff wording and API messages are Vietnamese (see the note at the top). */
const EnSchema = section({ locale: Locale, citizen: CitizenSchema });

type CitizenData = z.infer<typeof CitizenSchema>;
export type StaffTexts = z.infer<typeof StaffSchema>;

/** Replaces each `{name}` by its value (the schema has checked that every placeholder is known). */
export { fill };

function citizenTexts(c: CitizenData, locale: string): Texts {
  const number = (n: number) => n.toLocaleString(locale);
  return {
    welcome: c.welcome,
    menuActions: c.menuActions,
    help: c.help,
    cancelled: c.cancelled,
    askQuestion: c.askQuestion,
    questionTooShort: c.questionTooShort,
    questionTooLong: (max) => fill(c.questionTooLong, { max }),
    rephrase: c.rephrase,
    flaggedAnyway: c.flaggedAnyway,
    similarFound: (items) => [c.similarFound.heading, ...items.map((i) => fill(c.similarFound.item, i))].join('\n'),
    similarHelped: c.similarHelped,
    yesNoRetry: c.yesNoRetry,
    similarGlad: c.similarGlad,
    askName: c.askName,
    nameRetry: c.nameRetry,
    askContact: c.askContact,
    contactRetry: c.contactRetry,
    confirmContact: {
      sent: (p) => fill(c.confirmContact.sent, p),
      where: (channel, contact) => fill(channel === 'email' ? c.confirmContact.whereEmail : channel === 'sms' ? c.confirmContact.whereSms : c.confirmContact.whereZns, { contact }),
      codeShape: (length) => fill(c.confirmContact.codeShape, { length }),
      wrong: (left) => fill(c.confirmContact.wrong, { left }),
      exhausted: c.confirmContact.exhausted,
      expired: c.confirmContact.expired,
      wait: (seconds) => fill(c.confirmContact.wait, { seconds }),
      limitContact: c.confirmContact.limitContact,
      limitAddress: c.confirmContact.limitAddress,
      unreachable: { emailOff: c.confirmContact.emailOff, phoneOff: c.confirmContact.phoneOff, landline: c.confirmContact.landline },
      askOther: c.confirmContact.askOther,
      confirmed: (contact) => fill(c.confirmContact.confirmed, { contact }),
      lookupHint: c.confirmContact.lookupHint,
      noneForContact: (contact) => fill(c.confirmContact.noneForContact, { contact }),
      actions: c.confirmContact.actions,
    },
    askLocality: c.askLocality,
    skipWord: c.skipWord,
    localityUnknown: c.localityUnknown,
    summary: (p) =>
      fill(c.summary.text, {
        ...p,
        locality: p.locality ? fill(c.summary.locality, { locality: p.locality }) : '',
        agencyLine: fill(p.triage ? c.summary.triage : c.summary.agency, { agency: p.agency }),
      }),
    summaryRetry: c.summaryRetry,
    confirmActions: c.confirmActions,
    filed: (p) => fill(c.filed.text, { ...p, agencyPart: p.triage ? c.filed.triage : fill(c.filed.agency, { agency: p.agency }) }),
    held: (p) => fill(c.held.text, { why: p.overall ? c.held.overall : c.held.perAsker, id: p.id }),
    notFiled: c.notFiled,
    askTicket: c.askTicket,
    ticketRetry: c.ticketRetry,
    ticketUnknown: (ticket) => fill(c.ticketUnknown, { ticket }),
    status: (p) => {
      const head = fill(c.status.text, { ticket: p.ticket, status: p.status, agency: p.agency });
      if (p.answer) return `${head}\n${fill(c.status.answer, { answeredOn: p.answeredOn ?? '', answer: p.answer })}`;
      return p.answerDue ? `${head}\n${fill(c.status.due, { answerDue: p.answerDue })}` : head;
    },
    statusNames: c.statusNames,
    askRating: c.askRating,
    ratingRetry: c.ratingRetry,
    rated: (rating) => fill(c.rated, { rating }),
    faqPrompt: c.faqPrompt,
    faqHelped: c.faqHelped,
    faqGlad: c.faqGlad,
    faqNotFound: c.faqNotFound,
    offerToAsk: c.offerToAsk,
    myQuestions: (tickets) => fill(c.myQuestions, { tickets: tickets.join(', ') }),
    myQuestionsNone: c.myQuestionsNone,
    myQuestionsList: (items, older) => {
      const l = c.myQuestionsList;
      const item = (i: MyQuestionItem) =>
        [
          fill(l.item, { ticket: i.ticket, askedOn: i.askedOn, question: i.question, status: i.status, agency: i.agency }),
          i.answer !== undefined
            ? fill(l.answer, { answeredOn: i.answeredOn ?? '', answer: i.answer, ticket: i.ticket })
            : i.acceptDue && i.answerDue
              ? fill(l.dues, { acceptDue: i.acceptDue, answerDue: i.answerDue })
              : i.answerDue
                ? fill(l.answerDue, { answerDue: i.answerDue })
                : '',
        ]
          .filter((line) => line !== '')
          .join('\n');
      return [l.heading, ...items.map(item), ...(older > 0 ? [fill(l.older, { count: number(older) })] : []), l.footer].join('\n');
    },
    notAQuestion: c.notAQuestion,
    faqWhatUnclear: c.faqWhatUnclear,
    localityRetry: c.localityRetry,
    error: c.error,
    onlyText: c.onlyText,
    photos: {
      kept: (p) => fill(c.photos.kept, p),
      writeQuestion: c.photos.writeQuestion,
      outsideAsking: c.photos.outsideAsking,
      tooMany: (max) => fill(c.photos.tooMany, { max }),
      refused: (maxMb) => fill(c.photos.refused, { maxMb: number(maxMb) }),
      filed: (count) => fill(c.photos.filed, { count }),
    },
    messageTooLong: (max) => fill(c.messageTooLong, { max: number(max) }),
  };
}

export interface LoadedTexts {
  citizen: Record<Lang, Texts>;
  /** Staff wording (Vietnamese). */
  staff: StaffTexts;
  /** The API's error messages by code (Vietnamese). */
  apiErrors: Record<ApiErrorKey, string>;
}

/** Reads and checks data/texts/vi.json and en.json; a DataError names the file and the key. */
export function loadTexts(dataDir: string = DEFAULT_DATA_DIR): LoadedTexts {
  const viFile = path.join(dataDir, 'texts', 'vi.json');
  const enFile = path.join(dataDir, 'texts', 'en.json');
  const vi = parseWith(ViSchema, readJsonFile(viFile), viFile);
  const en = parseWith(EnSchema, readJsonFile(enFile), enFile);
  return { citizen: { vi: citizenTexts(vi.citizen, vi.locale), en: citizenTexts(en.citizen, en.locale) }, staff: vi.staff, apiErrors: vi.api.errors };
}

// Read once when the process starts (from HOIDAP_DATA_DIR, like the rest of data/), so a broken file stops the
// server or the command at start-up rather than mid-conversation.
const DATA_DIR = process.env.HOIDAP_DATA_DIR || DEFAULT_DATA_DIR;
const LOADED = loadTexts(DATA_DIR);

/** The file the Vietnamese wording was read from, for errors about it found elsewhere. */
export const VI_TEXTS_FILE = path.join(DATA_DIR, 'texts', 'vi.json');

export const TEXTS: Record<Lang, Texts> = LOADED.citizen;

/** What staff read: statuses, roles, deadlines, delete reasons, the sweeper's messages (Vietnamese). */
export const STAFF_TEXTS: StaffTexts = LOADED.staff;

/** What the use cases tell staff (drafts waiting, returned, approved), from the staff wording. */
export const STAFF_NOTICES: StaffNotices = staffNotices(STAFF_TEXTS.notices, STAFF_TEXTS.buttons);

/** The Vietnamese message for an API error code. */
export function apiErrorMessage(key: ApiErrorKey): string {
  return LOADED.apiErrors[key];
}

/** A status label starting with a capital, for a table cell or a heading ("Chờ tiếp nhận"). */
export function capitalized(text: string): string {
  return text.charAt(0).toLocaleUpperCase('vi-VN') + text.slice(1);
}

