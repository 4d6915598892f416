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

/** Each outbox channel's name for an admin. */
const OUTBOX_CHANNEL_VI: Record<OutboxChannel, string> = { zalo: 'Zalo', facebook: 'Messenger', email: 'email', sms: 'SMS', zns: 'Zalo ZNS' };

/** What each outbox status means to an admin. */
const OUTBOX_STATUS_VI: Record<OutboundStatus, string> = {
  pending: 'đang chờ gửi',
  sending: 'đang gửi',
  sent: 'đã gửi',
  dead: 'gửi lỗi nhiều lần',
  expired: 'quá thời hạn trả lời của kênh',
  unknown: 'không rõ đã đến chưa',
};

/** Why a message is in that state, where the label alone does not say. */
const OUTBOX_STATUS_WHY: Partial<Record<OutboundStatus, string>> = { unknown: 'máy chủ dừng khi đang gửi' };

interface Pending {
  command: StaffCommand;
  /** What the prompt asked for. */
  needs?: 'agency' | 'reason' | 'text' | 'days' | 'extendReason' | 'comment';
  suggestions?: Array<{ agency: string; name: string }>;
}

/** Shorter text after "duyệt HD-..." is taken for a remark ("ok", "nhé"), not an edited answer. */
const MIN_EDITED_ANSWER = 20;

const HELP_OFFICER =
  'Các lệnh: "câu hỏi mới" (hộp thư của đơn vị), "xem HD-...", "tiếp nhận HD-...", "chuyển HD-... [cơ quan]", "xóa HD-...", ' +
  '"trả lời HD-..." (soạn dự thảo gửi lãnh đạo duyệt), "gia hạn HD-... [số ngày] [lý do]".';
const HELP_APPROVER = `${HELP_OFFICER} Lãnh đạo: "xem HD-..." (xem dự thảo), "duyệt HD-..." (đăng dự thảo), "duyệt HD-... [nội dung đã sửa]" (đăng bản đã sửa), "trả lại HD-... [ý kiến]".`;

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
    const outbox = can(account, 'manage_accounts') ? ' "tin nhắn chưa gửi được" (Zalo, Messenger), "gửi lại [số]".' : '';
    return `${HELP_APPROVER} Quản trị: hỏi "câu hỏi quá hạn của Bảo Thắng", "điểm hỏi đáp quý 3 năm 2023"...${outbox}`;
  }

  private async commandStep(step: WaterfallStepContext) {
    const account = this.actor(step.context);
    const text = (step.context.activity.text ?? '').trim();
    const command = parseStaffCommand(text);
    if (!command || command.kind === 'link') {
      // Editors and admins ask the queue questions in plain Vietnamese.
      if (can(account, 'report')) {
        for (const activity of await answerAdminQuery(text, this.deps.admin)) await step.context.sendActivity(activity);
      } else await step.context.sendActivity(`Tài khoản ${account.name} (${roleName(account)}). ${this.help(account)}`);
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
              ? `Hệ thống gợi ý chuyển ${command.ticket} đến ${s.name} (độ tin cậy ${Math.round(s.confidence * 100)}%). Chọn cơ quan, hoặc gõ tên cơ quan khác.`
              : `Chuyển ${command.ticket} đến cơ quan nào? Gõ tên cơ quan.`;
            return ask(MessageFactory.suggestedActions([...options.map((o) => o.name), 'Hủy'], text), 'agency');
          }
          break;
        case 'delete':
          if (!command.reason) return ask(MessageFactory.suggestedActions([...Object.values(DELETE_REASON_LABELS), 'Hủy'], `Lý do xóa ${command.ticket}?`), 'reason');
          break;
        case 'answer':
          if (!command.text) return ask(`Mời nhập nội dung trả lời cho ${command.ticket}${account.role === 'officer' ? ' (dự thảo sẽ gửi lãnh đạo duyệt)' : ''}.`, 'text');
          break;
        case 'extend':
          if (!command.days || !command.reason)
            return ask(`Gia hạn ${command.ticket}: nhập số ngày làm việc (tối đa ${this.deps.data.policy.deadlines.extension.maxWorkingDays}) và lý do, ví dụ "3 cần xác minh thực địa".`, 'days');
          break;
        case 'return':
          if (!command.comment) return ask(`Ý kiến khi trả lại dự thảo của ${command.ticket}?`, 'comment');
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
      await step.context.sendActivity('Đã hủy thao tác.');
      return step.endDialog();
    }
    try {
      if (command.kind === 'forward') {
        const chosen = pending.suggestions?.find((s) => s.name === answer);
        command.agencyText = chosen?.agency ?? answer;
      } else if (command.kind === 'delete') {
        const reason = parseDeleteReason(answer);
        if (!reason) {
          await step.context.sendActivity(`Lý do xóa phải là một trong: ${Object.values(DELETE_REASON_LABELS).join(', ')}. Chưa xóa ${command.ticket}.`);
          return step.endDialog();
        }
        command.reason = reason;
      } else if (command.kind === 'answer') command.text = answer;
      else if (command.kind === 'extend') {
        const m = /^(\d{1,2})(?:\s*(?:ngày|ngay))?\s*([\s\S]*)$/i.exec(answer);
        if (!m || !m[2].trim()) {
          await step.context.sendActivity('Cần cả số ngày và lý do, ví dụ "3 cần xác minh thực địa". Chưa gia hạn.');
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
    if (!can(account, 'manage_accounts')) return 'Chỉ quản trị viên xem và gửi lại tin nhắn chưa gửi được.';
    return this.deps.outbox ?? 'Máy chủ này không có kênh Zalo, Messenger.';
  }

  private async execute(context: TurnContext, account: WorkflowActor & Account, command: StaffCommand): Promise<void> {
    const { workflow, data } = this.deps;
    const name = (code: string | undefined) => (code ? (data.agencies.get(code)?.name ?? code) : '—');
    switch (command.kind) {
      case 'accept': {
        const r = await workflow.accept(account, command.ticket);
        const c = r.state.cases[r.state.cases.length - 1];
        await context.sendActivity(`Đã tiếp nhận ${command.ticket}. Hạn trả lời: ${data.clock.formatDateVi(c.answerDue)}.`);
        return;
      }
      case 'forward': {
        const r = await workflow.forward(account, command.ticket, { agency: command.agencyText as string, reason: 'Chuyển cơ quan có thẩm quyền trả lời' });
        await context.sendActivity(`Đã chuyển ${command.ticket} đến ${name(r.state.agency)}.`);
        return;
      }
      case 'delete':
        await workflow.delete(account, command.ticket, { reason: command.reason as string });
        await context.sendActivity(`Đã xóa ${command.ticket} khỏi chuyên mục (lý do: ${DELETE_REASON_LABELS[command.reason as keyof typeof DELETE_REASON_LABELS]}).`);
        return;
      case 'answer':
        if (can(account, 'approve', (await workflow.questionDetail(account, command.ticket)).agency)) {
          const r = await workflow.approve(account, command.ticket, { text: command.text });
          await context.sendActivity(`Đã đăng câu trả lời cho ${command.ticket}${r.delivered ? ' và gửi đến người hỏi' : ' (người hỏi xem trên Cổng và bằng mã câu hỏi)'}.`);
        } else {
          const r = await workflow.draft(account, command.ticket, { text: command.text as string });
          await context.sendActivity(`Đã gửi dự thảo trả lời ${command.ticket} cho lãnh đạo duyệt (${r.notified} người được báo).`);
        }
        return;
      case 'extend': {
        const r = await workflow.extend(account, command.ticket, { days: command.days as number, reason: command.reason as string });
        const due = r.state.cases[r.state.cases.length - 1].answerDue;
        await context.sendActivity(`Đã gia hạn ${command.ticket}: hạn trả lời mới ${data.clock.formatDateVi(due)}.`);
        return;
      }
      case 'approve': {
        // "duyệt HD-... nhé" must not publish "nhé": an edited answer is a real text.
        if (command.text !== undefined && [...command.text].length < MIN_EDITED_ANSWER) {
          await context.sendActivity(
            `Chưa đăng ${command.ticket}: "${escapeChat(command.text)}" quá ngắn để là câu trả lời. Gửi "duyệt ${command.ticket}" để đăng dự thảo, hoặc "duyệt ${command.ticket} <toàn bộ nội dung đã sửa>".`,
          );
          return;
        }
        const r = await workflow.approve(account, command.ticket, command.text !== undefined ? { text: command.text } : {});
        await context.sendActivity(
          `Đã duyệt và đăng câu trả lời ${command.ticket}${r.edited ? ' (bản đã sửa)' : ''}${r.delivered ? ', đã gửi đến người hỏi' : ' (người hỏi xem trên Cổng và bằng mã câu hỏi)'}.`,
        );
        return;
      }
      case 'return':
        await workflow.returnDraft(account, command.ticket, { comment: command.comment as string });
        await context.sendActivity(`Đã trả lại dự thảo ${command.ticket} cho cán bộ soạn, kèm ý kiến.`);
        return;
      case 'view': {
        const d = await workflow.questionDetail(account, command.ticket);
        const day = (iso: string | undefined) => {
          const ms = iso ? parseInstant(iso) : undefined;
          return ms === undefined ? '' : data.clock.formatDateVi(ms);
        };
        const due = d.current ? ` Hạn tiếp nhận ${day(d.current.acceptDue)}, hạn trả lời ${day(d.current.answerDue)}.` : '';
        const asker = d.asker ? `\nNgười hỏi: ${d.asker.name ?? ''}${d.asker.contact ? ` (${d.asker.contact})` : ''}` : '';
        const pending = d.latestDraft?.status === 'pending' ? d.latestDraft : undefined;
        const mayApprove = pending !== undefined && can(account, 'approve', d.agency);
        const draft = pending ? `\n\n${draftLines(d.q, pending, d.draftChanges, (iso) => day(iso), mayApprove)}` : '';
        // Only after questionDetail allowed this account to view the question.
        const photoCount = this.deps.photos ? (await this.deps.photos.list(d.q)).length : 0;
        const photos = photoCount > 0 ? `\n${fill(STAFF_TEXTS.photosAttached, { count: photoCount, q: d.q })}` : '';
        // An approver looking at a waiting draft decides; everyone else gets the usual next steps.
        const actions = mayApprove ? [`Duyệt ${d.q}`, `Trả lại ${d.q}`] : [`Tiếp nhận ${d.q}`, `Trả lời ${d.q}`, `Chuyển ${d.q}`];
        await context.sendActivity(MessageFactory.suggestedActions(actions, `${d.q} — ${name(d.agency)} — ${STAFF_TEXTS.questionStatus[d.status]}.${due}\n${escapeChat(d.text)}${asker}${photos}${draft}`));
        return;
      }
      case 'inbox': {
        const list = await workflow.listQuestions(account, { status: ['assigned', 'accepted'], limit: 10 });
        if (list.total === 0) {
          await context.sendActivity('Không có câu hỏi nào đang chờ xử lý.');
          return;
        }
        const lines = list.items.map((r) => `• ${r.q} (${STAFF_TEXTS.questionStatus[r.status]}${r.overdue ? `, ${STAFF_TEXTS.overdueMark}` : ''}): ${escapeChat(excerpt(r.text, 80))}`);
        await context.sendActivity(MessageFactory.suggestedActions(list.items.slice(0, 3).map((r) => `Xem ${r.q}`), `${list.total} câu hỏi đang chờ xử lý:\n${lines.join('\n')}`));
        return;
      }
      case 'undelivered': {
        const outbox = this.outboxFor(account);
        if (typeof outbox === 'string') return void (await context.sendActivity(outbox));
        const items = await outbox.undelivered(10);
        if (items.length === 0) return void (await context.sendActivity('Không có tin nhắn Zalo, Messenger nào chưa gửi được.'));
        const lines = items.map(
          (m) => `• Số ${m.id} (${OUTBOX_CHANNEL_VI[m.channel]}, ${data.clock.formatDateTimeVi(m.createdAt)}): ${OUTBOX_STATUS_VI[m.status]}${OUTBOX_STATUS_WHY[m.status] ? ` (${OUTBOX_STATUS_WHY[m.status]})` : ''}. ${escapeChat(excerpt(String(m.payload.text ?? ''), 80))}`,
        );
        await context.sendActivity(
          MessageFactory.suggestedActions(
            items.slice(0, 3).map((m) => `Gửi lại ${m.id}`),
            `Tin nhắn chưa gửi được (mới nhất trước):\n${lines.join('\n')}\nGửi lại: "gửi lại [số]". Tin "không rõ" có thể đã đến: xem trên trang quản lý OA hoặc Fanpage trước khi gửi lại.`,
          ),
        );
        return;
      }
      case 'resend': {
        const outbox = this.outboxFor(account);
        if (typeof outbox === 'string') return void (await context.sendActivity(outbox));
        const outcome = await outbox.settleUndelivered(command.id, 'resend', `resent by ${account.id} in chat`, workflow.now());
        if (!outcome) await context.sendActivity(`Không có tin nhắn số ${command.id}.`);
        else if ('conflict' in outcome)
          await context.sendActivity(`Tin nhắn số ${command.id} ${OUTBOX_STATUS_VI[outcome.conflict]}: chỉ gửi lại được tin ${SETTLEABLE.resend.map((s) => OUTBOX_STATUS_VI[s]).join(', ')}.`);
        else await context.sendActivity(`Đã đưa tin nhắn số ${command.id} vào hàng gửi lại; hệ thống gửi trong ít phút.`);
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
          return `Bạn không có quyền thực hiện thao tác này với câu hỏi ${ticket}.`;
        case 'not_found':
          return `Không tìm thấy câu hỏi ${ticket}.`;
        default:
          return `Chưa thực hiện được: ${err.message}`;
      }
    }
    throw err;
  }
}

/** The waiting draft as an approver reads it before deciding, with what changed since the version they returned. */
function draftLines(q: string, draft: DraftView, changes: DraftChanges | undefined, day: (iso: string) => string, mayApprove: boolean): string {
  const lines = [`Dự thảo chờ duyệt (${draft.authorName ?? draft.author}, ${day(draft.createdAt)}):`, escapeChat(draft.text)];
  if (changes) {
    lines.push(`So với bản đã trả lại ngày ${day(changes.returned.decidedAt ?? changes.returned.createdAt)}${changes.returned.comment ? ` (góp ý: ${escapeChat(changes.returned.comment)})` : ''}:`);
    if (changes.added.length === 0 && changes.removed.length === 0) lines.push('không thay đổi.');
    else {
      if (changes.added.length > 0) lines.push(`+ thêm: ${escapeChat(changes.added.join(' '))}`);
      if (changes.removed.length > 0) lines.push(`− bỏ: ${escapeChat(changes.removed.join(' '))}`);
    }
  }
  if (mayApprove) lines.push(`Duyệt nguyên văn: "duyệt ${q}". Sửa rồi đăng: "duyệt ${q} <nội dung đã sửa>".`);
  return lines.join('\n');
}

function roleName(account: Account): string {
  return { officer: 'cán bộ', approver: 'lãnh đạo duyệt', editor: 'biên tập viên', admin: 'quản trị' }[account.role];
}

/** Citizen text shown in chat (markdown in Web Chat): no formatting, no links. */
function escapeChat(text: string): string {
  return text.replace(/([\\`*_{}[\]()#+!<>|])/g, '\\$1');
}
