import { fill, type Wording } from '../domain/text';

/**
 * What the use cases tell staff: the texts are data (data/texts/vi.json, staff.notices, checked
 * against this shape at start-up); this module only puts them together. The composition hands the
 * loaded texts to the use cases (AppDeps.notices).
 */
export const NOTICE_SHAPE = {
  draftWaiting: {
    heading: ['q', 'agency'],
    author: ['author'],
    question: ['question'],
    draft: ['draft'],
  },
  draftWaitingSubject: ['q'],
  draftWaitingMailFooter: ['q'],
  /** Stored as the comment of a draft replaced before anyone decided it: changing it later hides older replacements from the diff. */
  replacedDraft: [],
  approvedWithEdits: [],
  approvedToAuthor: ['q', 'edited'],
  approvedEdited: [],
  returnedToAuthor: ['q', 'by', 'comment'],
  changesNone: [],
  changes: ['added', 'removed'],
  /** To an agency's officers and approvers when a question reaches it (src/bot/factory.ts). */
  newQuestion: ['q', 'agency', 'text', 'acceptDue', 'answerDue'],
  /** To admins when an account links a chat; `agency` is ", code" or empty. */
  accountLinked: ['name', 'id', 'role', 'agency', 'where', 'when'],
  linkedChannel: { directline: [], zalo: [], facebook: [] },
} as const;

export type NoticeTexts = Wording<typeof NOTICE_SHAPE>;

/** The buttons staff tap, read back by the chat's command parser (src/backoffice/commands.ts). */
export const BUTTON_SHAPE = {
  view: ['q'],
  accept: ['q'],
  answer: ['q'],
  forward: ['q'],
  approve: ['q'],
  return: ['q'],
  draftAnswer: ['q'],
  resend: ['id'],
  cancel: [],
  /** Asks for the undelivered messages (admins). */
  undelivered: [],
} as const;

export type ButtonTexts = Wording<typeof BUTTON_SHAPE>;

/** The notices as the use cases send them. */
export function staffNotices(t: NoticeTexts, b: ButtonTexts) {
  return {
    draftWaiting: (v: { q: string; agency: string; author: string; question: string; draft: string; changes?: string }) =>
      [fill(t.draftWaiting.heading, v), fill(t.draftWaiting.author, v), fill(t.draftWaiting.question, v), fill(t.draftWaiting.draft, v), ...(v.changes ? [v.changes] : [])].join('\n'),
    draftButtons: (q: string) => [fill(b.view, { q }), fill(b.approve, { q }), fill(b.return, { q })],
    draftWaitingSubject: (q: string) => fill(t.draftWaitingSubject, { q }),
    draftWaitingMailFooter: (q: string) => fill(t.draftWaitingMailFooter, { q }),
    replacedDraft: t.replacedDraft,
    approvedWithEdits: t.approvedWithEdits,
    approvedToAuthor: (q: string, edited: boolean) => fill(t.approvedToAuthor, { q, edited: edited ? t.approvedEdited : '' }),
    returnedToAuthor: (v: { q: string; by: string; comment: string }) => fill(t.returnedToAuthor, v),
    returnedButtons: (q: string) => [fill(b.draftAnswer, { q })],
    /** What changed since the version the approver returned (words added and removed). */
    changesSinceReturned: (added: readonly string[], removed: readonly string[]) =>
      added.length === 0 && removed.length === 0 ? t.changesNone : fill(t.changes, { added: added.join(' ') || '—', removed: removed.join(' ') || '—' }),
  };
}

export type StaffNotices = ReturnType<typeof staffNotices>;
