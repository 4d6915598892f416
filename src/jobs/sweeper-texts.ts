import { fill, STAFF_TEXTS } from '../bot/texts';
import type { ChatMessage } from '../backoffice/notifier';
import { citizenExcerpt } from '../admin/format';

/**
 * What the deadline sweeper says: the wording is data (data/texts/vi.json, staff.sweeper).
 * Button titles come back as typed text, so they stay here, next to the officer dialog's
 * commands they must match, followed by the ticket number.
 */

export type DeadlineKind = 'accept' | 'answer';

/** A case named in a message: the ticket, the agency's short name, the deadline (dd/mm/yyyy). */
export interface CaseLine {
  q: string;
  agencyName: string;
  deadline: DeadlineKind;
  dueDate: string;
  workingDaysOverdue: number;
}

/** A draft answer waiting for an approver: the ticket, the question's text, since when (dd/mm/yyyy) and for how many working days. */
export interface DraftLine {
  q: string;
  agencyName: string;
  question: string;
  sentDate: string;
  workingDaysWaiting: number;
}

export const buttons = {
  accept: (q: string) => fill(STAFF_TEXTS.buttons.accept, { q }),
  view: (q: string) => fill(STAFF_TEXTS.buttons.view, { q }),
};

/** Chat channels show few buttons (Messenger: 3). */
const MAX_BUTTONS = 3;

const T = STAFF_TEXTS.sweeper;
const WHAT = STAFF_TEXTS.deadline;

function left(days: number): string {
  return days === 0 ? T.lastDay : fill(T.daysLeft, { days });
}

export function reminderMessage(input: { q: string; agencyName: string; deadline: DeadlineKind; dueDate: string; workingDaysLeft: number; accepted: boolean }): ChatMessage {
  const { q, agencyName, deadline, dueDate, workingDaysLeft } = input;
  return {
    text: fill(T.reminder, { what: WHAT[deadline], q, agency: agencyName, dueDate, left: left(workingDaysLeft) }),
    buttons: input.accepted ? [buttons.view(q)] : [buttons.accept(q), buttons.view(q)],
  };
}

export function overdueMessage(line: CaseLine): ChatMessage {
  const { q, agencyName, deadline, dueDate, workingDaysOverdue } = line;
  return {
    text: fill(T.overdue, { what: WHAT[deadline], q, agency: agencyName, days: workingDaysOverdue, dueDate }),
    buttons: deadline === 'accept' ? [buttons.accept(q), buttons.view(q)] : [buttons.view(q)],
  };
}

function caseLine(line: CaseLine): string {
  return fill(T.caseLine, { q: line.q, what: WHAT[line.deadline], days: line.workingDaysOverdue, dueDate: line.dueDate });
}

/** The question is the citizen's text: escaped, so it cannot add links or emphasis in a chat that renders markdown. */
function draftLine(line: DraftLine): string {
  return fill(T.draftLine, { q: line.q, days: line.workingDaysWaiting, sentDate: line.sentDate, question: citizenExcerpt(line.question, 80) });
}

/** Lines grouped under their agency's name, in the order they come. */
function grouped<L extends { agencyName: string }>(lines: readonly L[], render: (line: L) => string): string[] {
  const byAgency = new Map<string, L[]>();
  for (const line of lines) byAgency.set(line.agencyName, [...(byAgency.get(line.agencyName) ?? []), line]);
  const out: string[] = [];
  for (const [name, group] of byAgency) out.push(fill(T.agencyHeading, { agency: name }), ...group.map(render));
  return out;
}

/**
 * The daily digest. `lines` come most overdue first, `drafts` longest waiting first; one
 * agency's digest lists its questions, the all-agencies digest groups them by agency. Each
 * part is said only when it has something; at most `maxListed` lines in all, the rest counted.
 */
export function digestMessage(input: { date: string; agencyName?: string; lines: readonly CaseLine[]; drafts?: readonly DraftLine[]; maxListed: number }): ChatMessage {
  const { date, agencyName, lines, maxListed } = input;
  const drafts = input.drafts ?? [];
  const shown = lines.slice(0, maxListed);
  const shownDrafts = drafts.slice(0, Math.max(0, maxListed - shown.length));
  const out: string[] = [];
  const agencies = (items: ReadonlyArray<{ agencyName: string }>) => new Set(items.map((l) => l.agencyName)).size;
  if (lines.length > 0) {
    if (agencyName !== undefined) {
      out.push(fill(T.digestAgency, { agency: agencyName, date, count: lines.length }), ...shown.map(caseLine));
    } else {
      out.push(fill(T.digestAll, { date, count: lines.length, agencies: agencies(lines) }), ...grouped(shown, caseLine));
    }
    if (lines.length > shown.length) out.push(fill(T.more, { count: lines.length - shown.length }));
  }
  if (drafts.length > 0) {
    if (agencyName !== undefined) out.push(fill(T.draftsAgency, { agency: agencyName, count: drafts.length }), ...shownDrafts.map(draftLine));
    else out.push(fill(T.draftsAll, { count: drafts.length, agencies: agencies(drafts) }), ...grouped(shownDrafts, draftLine));
    if (drafts.length > shownDrafts.length) out.push(fill(T.more, { count: drafts.length - shownDrafts.length }));
  }
  const tickets = [...lines.map((l) => l.q), ...drafts.map((d) => d.q)];
  return { text: out.join('\n'), buttons: tickets.slice(0, MAX_BUTTONS).map(buttons.view) };
}

/** To admins: messages the outbox gave up on or could not confirm, waiting for their decision. */
export function undeliveredMessage(counts: { dead: number; unknown: number }): ChatMessage {
  const parts = [counts.dead > 0 ? fill(T.undeliveredDead, { count: counts.dead }) : '', counts.unknown > 0 ? fill(T.undeliveredUnknown, { count: counts.unknown }) : ''].filter(Boolean);
  return {
    text: fill(T.undelivered, { count: counts.dead + counts.unknown, parts: parts.join(', ') }),
    buttons: [STAFF_TEXTS.buttons.undelivered],
  };
}
