import { findTicket } from '../bot/intents';
import { STAFF_TEXTS, VI_TEXTS_FILE } from '../bot/texts';
import { DataError } from '../config/data';
import type { DeleteReason } from '../domain/events';
import { foldVietnamese } from '../domain/text';

/** What officers, approvers, editors and admins type (or click) in chat. */
export type StaffCommand =
  | { kind: 'link'; code: string }
  | { kind: 'accept' | 'view'; ticket: string }
  /** With a text: the approver publishes the draft as edited (or an answer of their own). */
  | { kind: 'approve'; ticket: string; text?: string }
  | { kind: 'forward'; ticket: string; agencyText?: string }
  | { kind: 'delete'; ticket: string; reason?: DeleteReason }
  | { kind: 'answer'; ticket: string; text?: string }
  | { kind: 'extend'; ticket: string; days?: number; reason?: string }
  | { kind: 'return'; ticket: string; comment?: string }
  | { kind: 'inbox' }
  /** Admins: Zalo/Messenger messages that could not be delivered, and sending one again. */
  | { kind: 'undelivered' }
  | { kind: 'resend'; id: number }
  | { kind: 'help' };

/** The reasons for deleting, as offered on buttons and as typed. */
/** The reasons' names, shared with the console (data/texts/vi.json staff.deleteReason); chat offers them as buttons. */
export const DELETE_REASON_LABELS: Record<DeleteReason, string> = STAFF_TEXTS.deleteReason;

export function parseDeleteReason(text: string): DeleteReason | undefined {
  const f = foldVietnamese(text);
  if (/trung/.test(f) || f === 'duplicate') return 'duplicate';
  if (/vi pham|quy che|violation/.test(f)) return 'violation';
  if (/sai thong tin|danh tinh|nguoi hoi|identity/.test(f)) return 'invalid_identity';
  if (/pham vi|out of scope|khong thuoc/.test(f)) return 'out_of_scope';
  return undefined;
}

// A button's title comes back as typed text: each name must read back as its own reason, or a tap would delete for another one.
for (const [reason, label] of Object.entries(DELETE_REASON_LABELS)) {
  if (parseDeleteReason(label) !== reason)
    throw new DataError(VI_TEXTS_FILE, [`staff.deleteReason.${reason}: "${label}" would be read as ${parseDeleteReason(label) ?? 'no reason'} when tapped in chat; keep its key word (e.g. "trùng", "vi phạm", "người hỏi", "phạm vi")`]);
}

const VERBS: Array<[RegExp, StaffCommand['kind']]> = [
  [/^(tiep nhan|nhan)\b/, 'accept'],
  [/^(chuyen|chuyen tiep)\b/, 'forward'],
  [/^xoa\b/, 'delete'],
  [/^(tra loi|soan tra loi|du thao)\b/, 'answer'],
  [/^gia han\b/, 'extend'],
  [/^(duyet|phe duyet|xuat ban)\b/, 'approve'],
  [/^tra lai\b/, 'return'],
  [/^(xem|chi tiet)\b/, 'view'],
];

/** Parses a staff command; undefined when the text is not one (for admins it may then be a query). */
export function parseStaffCommand(text: string): StaffCommand | undefined {
  const folded = foldVietnamese(text);
  // A link code: 10 letters and digits (XXXXX-XXXXX; see LINK_CODE_ALPHABET), or the six digits of old codes (now void,
  // so counted as a wrong try). Anything else after "liên kết" is a citizen's words, not a code.
  const link = /^(lien ket|link)\s+([a-z0-9][a-z0-9 -]{4,20}[a-z0-9])$/.exec(folded);
  if (link) {
    const code = link[2].replace(/[\s-]+/g, '');
    if (code.length === 10 || /^\d{6}$/.test(code)) return { kind: 'link', code };
  }
  if (/^(cau hoi moi|hop thu|danh sach cau hoi|viec can lam|inbox)$/.test(folded)) return { kind: 'inbox' };
  if (/^(huong dan|tro giup|help|lenh)$/.test(folded)) return { kind: 'help' };
  if (/^(xem )?(cac )?(tin nhan (chua gui duoc|chua gui|khong gui duoc|gui loi|loi|that bai)|chua gui duoc|undelivered)$/.test(folded)) return { kind: 'undelivered' };
  const resend = /^gui lai( tin( nhan)?)?( so)? #?(\d{1,12})$/.exec(folded);
  if (resend) return { kind: 'resend', id: Number(resend[4]) };
  const ticket = findTicket(text);
  if (!ticket) return undefined;
  const verb = VERBS.find(([re]) => re.test(folded))?.[1];
  if (!verb) return undefined;
  // What follows the ticket, as typed (with its diacritics): an agency, a reason, a text.
  const after = text.slice(text.search(/HD[\s-]?\d{4}[\s-]?\d{1,6}/i)).replace(/^HD[\s-]?\d{4}[\s-]?\d{1,6}/i, '').replace(/^[\s:,.-]+/, '').trim();
  switch (verb) {
    case 'forward':
      return { kind: 'forward', ticket, ...(after ? { agencyText: after.replace(/^(cho|den|toi|sang|tới|đến)\s+/i, '') } : {}) };
    case 'delete': {
      const reason = after ? parseDeleteReason(after) : undefined;
      return { kind: 'delete', ticket, ...(reason ? { reason } : {}) };
    }
    case 'answer':
      return { kind: 'answer', ticket, ...(after ? { text: after } : {}) };
    case 'extend': {
      const m = /^(\d{1,2})(?:\s*(?:ngay|ngày))?\s*([\s\S]*)$/i.exec(after);
      return { kind: 'extend', ticket, ...(m ? { days: Number(m[1]) } : {}), ...(m && m[2].trim() ? { reason: m[2].trim() } : {}) };
    }
    case 'return':
      return { kind: 'return', ticket, ...(after ? { comment: after } : {}) };
    case 'approve':
      return { kind: 'approve', ticket, ...(after ? { text: after } : {}) };
    default:
      return { kind: verb, ticket } as StaffCommand;
  }
}
