import type { ChatMessage } from '../backoffice/notifier';

/**
 * What the deadline sweeper says, in Vietnamese. Button titles come back as typed
 * text, so they are the officer dialog's commands followed by the ticket number.
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

export const buttons = {
  accept: (q: string) => `Tiếp nhận ${q}`,
  view: (q: string) => `Xem ${q}`,
};

/** Chat channels show few buttons (Messenger: 3). */
const MAX_BUTTONS = 3;

const WHAT: Record<DeadlineKind, string> = { accept: 'tiếp nhận', answer: 'trả lời' };

function left(days: number): string {
  return days === 0 ? 'hôm nay là ngày cuối' : `còn ${days} ngày làm việc`;
}

export function reminderMessage(input: { q: string; agencyName: string; deadline: DeadlineKind; dueDate: string; workingDaysLeft: number; accepted: boolean }): ChatMessage {
  const { q, agencyName, deadline, dueDate, workingDaysLeft } = input;
  return {
    text: `Nhắc hạn ${WHAT[deadline]}: câu hỏi ${q} (${agencyName}) cần được ${WHAT[deadline]} trước hết ngày ${dueDate} (${left(workingDaysLeft)}).`,
    buttons: input.accepted ? [buttons.view(q)] : [buttons.accept(q), buttons.view(q)],
  };
}

export function overdueMessage(line: CaseLine): ChatMessage {
  const { q, agencyName, deadline, dueDate, workingDaysOverdue } = line;
  return {
    text: `Quá hạn ${WHAT[deadline]}: câu hỏi ${q} (${agencyName}) đã quá hạn ${workingDaysOverdue} ngày làm việc (hạn hết ngày ${dueDate}).`,
    buttons: deadline === 'accept' ? [buttons.accept(q), buttons.view(q)] : [buttons.view(q)],
  };
}

function caseLine(line: CaseLine): string {
  return `${line.q}: quá hạn ${WHAT[line.deadline]} ${line.workingDaysOverdue} ngày làm việc (hạn ${line.dueDate})`;
}

/**
 * The daily digest. `lines` come most overdue first; one agency's digest lists its
 * questions, the all-agencies digest groups them by agency.
 */
export function digestMessage(input: { date: string; agencyName?: string; lines: readonly CaseLine[]; maxListed: number }): ChatMessage {
  const { date, agencyName, lines, maxListed } = input;
  const shown = lines.slice(0, maxListed);
  const out: string[] = [];
  if (agencyName !== undefined) {
    out.push(`Câu hỏi quá hạn của ${agencyName} ngày ${date}: ${lines.length} câu.`);
    for (const line of shown) out.push(`- ${caseLine(line)}`);
  } else {
    const agencies = new Set(lines.map((l) => l.agencyName));
    out.push(`Câu hỏi quá hạn ngày ${date}: ${lines.length} câu ở ${agencies.size} cơ quan.`);
    const byAgency = new Map<string, CaseLine[]>();
    for (const line of shown) byAgency.set(line.agencyName, [...(byAgency.get(line.agencyName) ?? []), line]);
    for (const [name, group] of byAgency) {
      out.push(`${name}:`);
      for (const line of group) out.push(`- ${caseLine(line)}`);
    }
  }
  if (lines.length > shown.length) out.push(`… và ${lines.length - shown.length} câu khác.`);
  return { text: out.join('\n'), buttons: lines.slice(0, MAX_BUTTONS).map((l) => buttons.view(l.q)) };
}

/** To admins: messages the outbox gave up on or could not confirm, waiting for their decision. */
export function undeliveredMessage(counts: { dead: number; unknown: number }): ChatMessage {
  const parts = [counts.dead > 0 ? `${counts.dead} gửi lỗi nhiều lần` : '', counts.unknown > 0 ? `${counts.unknown} không rõ đã đến chưa` : ''].filter(Boolean);
  return {
    text: `Có ${counts.dead + counts.unknown} tin nhắn Zalo, Messenger chưa gửi được (${parts.join(', ')}). Gõ "tin nhắn chưa gửi được" để xem và gửi lại.`,
    buttons: ['Tin nhắn chưa gửi được'],
  };
}
