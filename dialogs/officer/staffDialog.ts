import { MessageFactory, type StatePropertyAccessor, type TurnContext } from 'botbuilder';
import { ComponentDialog, TextPrompt, WaterfallDialog, type DialogState, type WaterfallStepContext, runDialog } from 'botbuilder-dialogs';
import { answerAdminQuery } from '../admin/adminDialog';
import type { AdminDeps } from '../../src/admin/answers';
import { WorkflowError, type DraftChanges, type DraftView, type Workflow, type WorkflowActor } from '../../src/backoffice/actions';
import { DELETE_REASON_LABELS, parseDeleteReason, parseStaffCommand, type StaffCommand } from '../../src/backoffice/commands';
import type { Account } from '../../src/backoffice/types';
import type { ProvinceData } from '../../src/config/data';
import { SETTLEABLE, type ChannelQueueStore, type OutboundStatus, type OutboxChannel } from '../../src/store/channel-types';
import { can } from '../../src/domain/access';
import { parseInstant } from '../../src/domain/time';
import { excerpt } from '../../src/domain/text';
import { fill, STAFF_TEXTS } from '../../src/bot/texts';
import type { PhotoStore } from '../../src/app/ports';

export const STAFF_DIALOG_ID = 'staff';
const INPUT = 'staffInput';
const STEPS = 'staffSteps';
export const STAFF_ACCOUNT = Symbol('hoidap.staffAccount');

export interface StaffDeps {
  data: ProvinceData;
  workflow: Workflow;
  admin: AdminDeps;
  /** The Zalo/Messenger outbox, for admins (absent without the SQLite store). */
  outbox?: Pick<ChannelQueueStore, 'undelivered' | 'settleUndelivered'>;
  /** Photos sent with questions: "xem HD-..." says how many and where to see them. */
  photos?: Pick<PhotoStore, 'list'>;
}

/** What staff read in chat (data/texts/vi.json, staff.chat) and the buttons they tap (staff.buttons). */
const T = STAFF_TEXTS.chat;
const B = STAFF_TEXTS.buttons;

/** Each outbox channel's name for an admin. */
const OUTBOX_CHANNEL_VI: Record<OutboxChannel, string> = T.outboxChannel;

/** What each outbox status means to an admin. */
const OUTBOX_STATUS_VI: Record<OutboundStatus, string> = T.outboxStatus;

/** Why a message is in that state, where the label alone does not say. */
const OUTBOX_STATUS_WHY: Partial<Record<OutboundStatus, string>> = { unknown: T.outboxWhyUnknown };

interface Pending {
  command: StaffCommand;
  /** What the prompt asked for. */
  needs?: 'agency' | 'reason' | 'text' | 'days' | 'extendReason' | 'comment';
  suggestions?: Array<{ agency: string; name: string }>;
}

/** Shorter text after "duyệt HD-..." is taken for a remark ("ok", "nhé"), not an edited answer. */
const MIN_EDITED_ANSWER = 20;

const HELP_OFFICER = T.helpOfficer;
const HELP_APPROVER = fill(T.helpApprover, { officer: HELP_OFFICER });

/**
 * Officers, approvers, editors and admins working from chat. Every action goes
 * through the Workflow, which checks the account's role and agency and records
 * the ledger event with who did it.
 */
export class StaffDialog extends ComponentDialog {
  constructor(private readonly deps: StaffDeps) {
    super(STAFF_DIALOG_ID);
    this.addDialog(new TextPrompt(INPUT)).addDialog(new WaterfallDialog(STEPS, [this.commandStep.bind(this), this.completeStep.bind(this)]));
    this.initialDialogId = STEPS;
  }

  async run(context: TurnContext, accessor: StatePropertyAccessor<DialogState>): Promise<void> {
    await runDialog(this, context, accessor);
  }

  private actor(context: TurnContext): Account {
    return context.turnState.get(STAFF_ACCOUNT) as Account;
  }

  private help(account: Account): string {
    if (account.role === 'officer') return HELP_OFFICER;
    if (account.role === 'approver') return HELP_APPROVER;
    const outbox = can(account, 'manage_accounts') ? T.helpAdminOutbox : '';
    return fill(T.helpAdmin, { approver: HELP_APPROVER, outbox });
  }

  private async commandStep(step: WaterfallStepContext) {
    const account = this.actor(step.context);
    const text = (step.context.activity.text ?? '').trim();
    const command = parseStaffCommand(text);
    if (!command || command.kind === 'link') {
      // Editors and admins ask the queue questions in plain Vietnamese.
      if (can(account, 'report')) {
        for (const activity of await answerAdminQuery(text, this.deps.admin)) await step.context.sendActivity(activity);
      } else await step.context.sendActivity(fill(T.whoAmI, { name: account.name, role: roleName(account), help: this.help(account) }));
      return step.endDialog();
    }
    const pending: Pending = { command };
    (step.values as { pending?: Pending }).pending = pending;
    const ask = (prompt: string | Partial<import('botbuilder').Activity>, needs: Pending['needs']) => {
      pending.needs = needs;
      return step.prompt(INPUT, { prompt: typeof prompt === 'string' ? MessageFactory.text(prompt) : prompt });
    };
    try {
      // Not found or not theirs: said before asking anything else.
      if ('ticket' in command) await this.deps.workflow.questionDetail(account, command.ticket);
      switch (command.kind) {
        case 'forward':
          if (!command.agencyText) {
            const s = await this.deps.workflow.suggestForward(account, command.ticket);
            const options = s ? [{ agency: s.agency, name: s.name }, ...s.alternatives.slice(0, 3)] : [];
            pending.suggestions = options;
            const text = s
              ? fill(T.forwardSuggested, { q: command.ticket, agency: s.name, percent: Math.round(s.confidence * 100) })
              : fill(T.forwardAsk, { q: command.ticket });
            return ask(MessageFactory.suggestedActions([...options.map((o) => o.name), B.cancel], text), 'agency');
          }
          break;
        case 'delete':
          if (!command.reason) return ask(MessageFactory.suggestedActions([...Object.values(DELETE_REASON_LABELS), B.cancel], fill(T.deleteAsk, { q: command.ticket })), 'reason');
          break;
        case 'answer':
          if (!command.text) return ask(fill(T.answerAsk, { q: command.ticket, note: account.role === 'officer' ? T.answerAskOfficer : '' }), 'text');
          break;
        case 'extend':
          if (!command.days || !command.reason)
            return ask(fill(T.extendAsk, { q: command.ticket, max: this.deps.data.policy.deadlines.extension.maxWorkingDays }), 'days');
          break;
        case 'return':
          if (!command.comment) return ask(fill(T.returnAsk, { q: command.ticket }), 'comment');
          break;
        default:
          break;
      }
      await this.execute(step.context, account, command);
    } catch (err) {
      await step.context.sendActivity(this.explain(err, command));
    }
    return step.endDialog();
  }

  private async completeStep(step: WaterfallStepContext) {
    const account = this.actor(step.context);
    const pending = (step.values as { pending?: Pending }).pending as Pending;
    const answer = String(step.result ?? '').trim();
    const command = { ...pending.command } as StaffCommand;
    if (/^(huy|hủy|thoi|thôi|cancel)$/i.test(answer)) {
      await step.context.sendActivity(T.cancelled);
      return step.endDialog();
    }
    try {
      if (command.kind === 'forward') {
        const chosen = pending.suggestions?.find((s) => s.name === answer);
        command.agencyText = chosen?.agency ?? answer;
      } else if (command.kind === 'delete') {
        const reason = parseDeleteReason(answer);
        if (!reason) {
          await step.context.sendActivity(fill(T.deleteRetry, { reasons: Object.values(DELETE_REASON_LABELS).join(', '), q: command.ticket }));
          return step.endDialog();
        }
        command.reason = reason;
      } else if (command.kind === 'answer') command.text = answer;
      else if (command.kind === 'extend') {
        const m = /^(\d{1,2})(?:\s*(?:ngày|ngay))?\s*([\s\S]*)$/i.exec(answer);
        if (!m || !m[2].trim()) {
          await step.context.sendActivity(T.extendRetry);
          return step.endDialog();
        }
        command.days = Number(m[1]);
        command.reason = m[2].trim();
      } else if (command.kind === 'return') command.comment = answer;
      await this.execute(step.context, account, command);
    } catch (err) {
      await step.context.sendActivity(this.explain(err, command));
    }
    return step.endDialog();
  }

  /** The outbox if this account may manage it, or what to tell them. */
  private outboxFor(account: Account): NonNullable<StaffDeps['outbox']> | string {
    if (!can(account, 'manage_accounts')) return T.outboxAdminsOnly;
    return this.deps.outbox ?? T.outboxAbsent;
  }

  private async execute(context: TurnContext, account: WorkflowActor & Account, command: StaffCommand): Promise<void> {
    const { workflow, data } = this.deps;
    const name = (code: string | undefined) => (code ? (data.agencies.get(code)?.name ?? code) : '—');
    switch (command.kind) {
      case 'accept': {
        const r = await workflow.accept(account, command.ticket);
        const c = r.state.cases[r.state.cases.length - 1];
        await context.sendActivity(fill(T.accepted, { q: command.ticket, answerDue: data.clock.formatDateVi(c.answerDue) }));
        return;
      }
      case 'forward': {
        const r = await workflow.forward(account, command.ticket, { agency: command.agencyText as string, reason: T.forwardReason });
        await context.sendActivity(fill(T.forwarded, { q: command.ticket, agency: name(r.state.agency) }));
        return;
      }
      case 'delete':
        await workflow.delete(account, command.ticket, { reason: command.reason as string });
        await context.sendActivity(fill(T.deleted, { q: command.ticket, reason: DELETE_REASON_LABELS[command.reason as keyof typeof DELETE_REASON_LABELS] }));
        return;
      case 'answer':
        if (can(account, 'approve', (await workflow.questionDetail(account, command.ticket)).agency)) {
          const r = await workflow.approve(account, command.ticket, { text: command.text });
          await context.sendActivity(fill(T.published, { q: command.ticket, delivery: r.delivered ? T.publishedDelivered : T.portalOnly }));
        } else {
          const r = await workflow.draft(account, command.ticket, { text: command.text as string });
          await context.sendActivity(fill(T.drafted, { q: command.ticket, notified: r.notified }));
        }
        return;
      case 'extend': {
        const r = await workflow.extend(account, command.ticket, { days: command.days as number, reason: command.reason as string });
        const due = r.state.cases[r.state.cases.length - 1].answerDue;
        await context.sendActivity(fill(T.extended, { q: command.ticket, answerDue: data.clock.formatDateVi(due) }));
        return;
      }
      case 'approve': {
        // "duyệt HD-... nhé" must not publish "nhé": an edited answer is a real text.
        if (command.text !== undefined && [...command.text].length < MIN_EDITED_ANSWER) {
          await context.sendActivity(fill(T.approveTooShort, { q: command.ticket, text: escapeChat(command.text) }));
          return;
        }
        const r = await workflow.approve(account, command.ticket, command.text !== undefined ? { text: command.text } : {});
        await context.sendActivity(fill(T.approved, { q: command.ticket, edited: r.edited ? T.approvedEdited : '', delivery: r.delivered ? T.approvedDelivered : T.portalOnly }));
        return;
      }
      case 'return':
        await workflow.returnDraft(account, command.ticket, { comment: command.comment as string });
        await context.sendActivity(fill(T.returned, { q: command.ticket }));
        return;
      case 'view': {
        const d = await workflow.questionDetail(account, command.ticket);
        const day = (iso: string | undefined) => {
          const ms = iso ? parseInstant(iso) : undefined;
          return ms === undefined ? '' : data.clock.formatDateVi(ms);
        };
        const due = d.current ? fill(T.viewDeadlines, { acceptDue: day(d.current.acceptDue), answerDue: day(d.current.answerDue) }) : '';
        const asker = d.asker ? `\n${fill(T.viewAsker, { name: d.asker.name ?? '', contact: d.asker.contact ? ` (${d.asker.contact})` : '' })}` : '';
        const pending = d.latestDraft?.status === 'pending' ? d.latestDraft : undefined;
        const mayApprove = pending !== undefined && can(account, 'approve', d.agency);
        const draft = pending ? `\n\n${draftLines(d.q, pending, d.draftChanges, (iso) => day(iso), mayApprove)}` : '';
        // Only after questionDetail allowed this account to view the question.
        const photoCount = this.deps.photos ? (await this.deps.photos.list(d.q)).length : 0;
        const photos = photoCount > 0 ? `\n${fill(STAFF_TEXTS.photosAttached, { count: photoCount, q: d.q })}` : '';
        // An approver looking at a waiting draft decides; everyone else gets the usual next steps.
        const actions = (mayApprove ? [B.approve, B.return] : [B.accept, B.answer, B.forward]).map((b) => fill(b, { q: d.q }));
        await context.sendActivity(MessageFactory.suggestedActions(actions, `${d.q} — ${name(d.agency)} — ${STAFF_TEXTS.questionStatus[d.status]}.${due}\n${escapeChat(d.text)}${asker}${photos}${draft}`));
        return;
      }
      case 'inbox': {
        const list = await workflow.listQuestions(account, { status: ['assigned', 'accepted'], limit: 10 });
        if (list.total === 0) {
          await context.sendActivity(T.inboxEmpty);
          return;
        }
        const lines = list.items.map((r) => `• ${r.q} (${STAFF_TEXTS.questionStatus[r.status]}${r.overdue ? `, ${STAFF_TEXTS.overdueMark}` : ''}): ${escapeChat(excerpt(r.text, 80))}`);
        await context.sendActivity(MessageFactory.suggestedActions(list.items.slice(0, 3).map((r) => fill(B.view, { q: r.q })), `${fill(T.inboxHeading, { count: list.total })}\n${lines.join('\n')}`));
        return;
      }
      case 'undelivered': {
        const outbox = this.outboxFor(account);
        if (typeof outbox === 'string') return void (await context.sendActivity(outbox));
        const items = await outbox.undelivered(10);
        if (items.length === 0) return void (await context.sendActivity(T.undeliveredNone));
        const lines = items.map(
          (m) =>
            fill(T.undeliveredLine, {
              id: m.id,
              channel: OUTBOX_CHANNEL_VI[m.channel],
              at: data.clock.formatDateTimeVi(m.createdAt),
              status: OUTBOX_STATUS_VI[m.status],
              why: OUTBOX_STATUS_WHY[m.status] ? ` (${OUTBOX_STATUS_WHY[m.status]})` : '',
              text: escapeChat(excerpt(String(m.payload.text ?? ''), 80)),
            }),
        );
        await context.sendActivity(
          MessageFactory.suggestedActions(
            items.slice(0, 3).map((m) => fill(B.resend, { id: m.id })),
            `${T.undeliveredHeading}\n${lines.join('\n')}\n${T.undeliveredFooter}`,
          ),
        );
        return;
      }
      case 'resend': {
        const outbox = this.outboxFor(account);
        if (typeof outbox === 'string') return void (await context.sendActivity(outbox));
        const outcome = await outbox.settleUndelivered(command.id, 'resend', `resent by ${account.id} in chat`, workflow.now());
        if (!outcome) await context.sendActivity(fill(T.resendUnknown, { id: command.id }));
        else if ('conflict' in outcome)
          await context.sendActivity(fill(T.resendConflict, { id: command.id, status: OUTBOX_STATUS_VI[outcome.conflict], allowed: SETTLEABLE.resend.map((s) => OUTBOX_STATUS_VI[s]).join(', ') }));
        else await context.sendActivity(fill(T.resendQueued, { id: command.id }));
        return;
      }
      case 'help':
        await context.sendActivity(this.help(account));
        return;
      default:
        return;
    }
  }

  private explain(err: unknown, command: StaffCommand): string {
    const ticket = 'ticket' in command ? command.ticket : '';
    if (err instanceof WorkflowError) {
      switch (err.code) {
        case 'forbidden':
          return fill(T.forbidden, { q: ticket });
        case 'not_found':
          return fill(T.notFound, { q: ticket });
        default:
          return fill(T.failed, { reason: err.message });
      }
    }
    throw err;
  }
}

/** The waiting draft as an approver reads it before deciding, with what changed since the version they returned. */
function draftLines(q: string, draft: DraftView, changes: DraftChanges | undefined, day: (iso: string) => string, mayApprove: boolean): string {
  const D = T.draft;
  const lines = [fill(D.heading, { author: draft.authorName ?? draft.author, date: day(draft.createdAt) }), escapeChat(draft.text)];
  if (changes) {
    const comment = changes.returned.comment ? fill(D.returnedComment, { comment: escapeChat(changes.returned.comment) }) : '';
    lines.push(fill(D.sinceReturned, { date: day(changes.returned.decidedAt ?? changes.returned.createdAt), comment }));
    if (changes.added.length === 0 && changes.removed.length === 0) lines.push(D.unchanged);
    else {
      if (changes.added.length > 0) lines.push(fill(D.added, { words: escapeChat(changes.added.join(' ')) }));
      if (changes.removed.length > 0) lines.push(fill(D.removed, { words: escapeChat(changes.removed.join(' ')) }));
    }
  }
  if (mayApprove) lines.push(fill(D.howToApprove, { q }));
  return lines.join('\n');
}

function roleName(account: Account): string {
  return T.roleName[account.role];
}

/** Citizen text shown in chat (markdown in Web Chat): no formatting, no links. */
function escapeChat(text: string): string {
  return text.replace(/([\\`*_{}[\]()#+!<>|])/g, '\\$1');
}
