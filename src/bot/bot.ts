import { ActivityHandler, ActivityTypes, MessageFactory, TurnContext, type ConversationState, type StatePropertyAccessor, type UserState } from 'botbuilder';
import { STAFF_ACCOUNT, type StaffDialog } from '../../dialogs/officer/staffDialog';
import { parseStaffCommand } from '../backoffice/commands';
import { linkLimits, waitVi } from '../backoffice/accounts';
import { MAX_TEXT_LENGTH } from '../backoffice/actions';
import type { Account, BackofficeStore, ChatIdentity } from '../backoffice/types';
import type { Policy } from '../domain/policy';
import { channelLabel, verifiedAddress, verifiedChannel, verifiedIdentity } from './channels';
import type { DialogState } from 'botbuilder-dialogs';
import { DIALOG_STATE, LANG, PROFILE, withMenu, type CitizenProfile } from '../../dialogs/citizen/common';
import { MainDialog } from '../../dialogs/citizen/mainDialog';
import { detectLanguage } from '../routing/language';
import { logger } from '../observability/logger';
import { imageAttachments } from './photos';
import type { BotMetrics, BotServices } from './services';
import { fill, STAFF_TEXTS, TEXTS } from './texts';

/** What whoever links a staff account reads (data/texts/vi.json, staff.link). */
const LINK = STAFF_TEXTS.link;

/**
 * The longest chat message the bot reads: an officer's answer typed in chat (MAX_TEXT_LENGTH). Anything
 * longer is refused where citizen text enters, before any regular expression runs on it.
 */
export const MAX_TURN_TEXT = MAX_TEXT_LENGTH;

/** Officers, approvers, editors and admins: who they are (linked chat identities) and their dialog. */
export interface StaffSetup {
  backoffice: BackofficeStore;
  dialog: StaffDialog;
  now: () => number;
  /** data/policy.json `linking`: tries per code and the failure limits. */
  linking: Policy['linking'];
  /** Tells the account's owner and the admins that a chat identity was linked. */
  onLinked?: (account: Account, identity: ChatIdentity) => Promise<void>;
  /** Wrong link codes from everyone reached `linking.alertOverall` in the window: tell the admins (someone may be guessing). */
  onLinkFailures?: (failures: number) => Promise<void>;
}

/**
 * The bot: a thin ActivityHandler (BotBuilder-Samples' core bot) that picks the
 * language, hands the turn to the main dialog, and saves conversation and user
 * state at the end of every turn, so a restart between two steps loses nothing.
 */
export class HoidapBot extends ActivityHandler {
  private readonly dialogState: StatePropertyAccessor<DialogState>;
  private readonly profileState: StatePropertyAccessor<CitizenProfile>;
  private readonly staffState: StatePropertyAccessor<DialogState>;
  readonly dialog: MainDialog;

  constructor(
    private readonly conversationState: ConversationState,
    private readonly userState: UserState,
    services: BotServices,
    private readonly metrics?: BotMetrics,
    private readonly staff?: StaffSetup,
  ) {
    super();
    this.dialogState = conversationState.createProperty<DialogState>(DIALOG_STATE);
    this.staffState = conversationState.createProperty<DialogState>('staffDialogState');
    this.profileState = userState.createProperty<CitizenProfile>(PROFILE);
    this.dialog = new MainDialog(services, (context) => this.profile(context));

    this.onMessage(async (context, next) => {
      this.metrics?.turn(context.activity.channelId);
      // The length before anything else: no pattern (language, commands, dialogs, routing) sees an overlong text.
      const tooLong = (context.activity.text?.length ?? 0) > MAX_TURN_TEXT;
      await this.setLanguage(context, !tooLong);
      if (tooLong) {
        await context.sendActivity(TEXTS[context.turnState.get(LANG) as 'vi' | 'en'].messageTooLong(MAX_TURN_TEXT));
      } else if (!context.activity.text?.trim() && imageAttachments(context.activity).length > 0) {
        // A photo alone: kept while asking an agency, explained anywhere else (the citizen dialogs).
        await this.dialog.run(context, this.dialogState);
      } else if (!context.activity.text?.trim()) {
        // Stickers, files, voice: said politely, the dialog waits where it was.
        await context.sendActivity(TEXTS[context.turnState.get(LANG) as 'vi' | 'en'].onlyText);
      } else if (!(await this.staffTurn(context))) {
        await this.dialog.run(context, this.dialogState);
      }
      await next();
    });

    this.onMembersAdded(async (context, next) => {
      for (const member of context.activity.membersAdded ?? []) {
        if (member.id === context.activity.recipient?.id) continue;
        await this.setLanguage(context);
        const t = TEXTS[context.turnState.get(LANG) as 'vi' | 'en'];
        await context.sendActivity(withMenu(t, t.welcome));
      }
      await next();
    });
  }

  override async run(context: TurnContext): Promise<void> {
    try {
      await super.run(context);
    } catch (err) {
      this.metrics?.error(context.activity.channelId);
      logger.error('turn failed', { conversationId: context.activity.conversation?.id, error: err instanceof Error ? err.stack : String(err) });
      const lang = (context.turnState.get(LANG) as 'vi' | 'en' | undefined) ?? 'vi';
      await context.sendActivity(TEXTS[lang].error);
      // A failed turn must not leave the dialog half-way in a state that fails again.
      await this.conversationState.clear(context);
    } finally {
      await this.conversationState.saveChanges(context, false);
      await this.userState.saveChanges(context, false);
    }
  }

  /**
   * A person who linked their account works in the staff dialog; "liên kết XXXXX-XXXXX" links one.
   * Only on a channel whose sender the server verified itself (the portal's Direct Line, signed
   * Zalo and Messenger webhooks): on the Bot Framework endpoint everyone is a citizen, whatever
   * channelId and user id the activity claims. Returns whether the turn was handled.
   */
  private async staffTurn(context: TurnContext): Promise<boolean> {
    if (!this.staff) return false;
    const { backoffice, dialog, now, linking } = this.staff;
    const identity = verifiedIdentity(context);
    const command = parseStaffCommand(context.activity.text ?? '');
    if (command?.kind === 'link') {
      if (!identity) {
        logger.warn('link code refused: channel not verified by the server', { channel: channelLabel(context.activity.channelId) });
        await context.sendActivity(LINK.channelRefused);
        return true;
      }
      const reference = TurnContext.getConversationReference(context.activity);
      const address = verifiedAddress(context);
      const outcome = await backoffice.redeemLinkCode(command.code, identity, reference, now(), {
        ...(address ? { address } : {}),
        limits: linkLimits(linking),
      });
      if (outcome.ok) {
        const { account } = outcome;
        logger.warn('chat identity linked to an account', { account: account.id, role: account.role, channel: identity.channel });
        await context.sendActivity(fill(LINK.linked, { name: account.name, agency: account.agency ? ` (${account.agency})` : '' }));
        await this.staff.onLinked?.(account, identity).catch((err: unknown) => logger.error('could not tell the owner and admins about a link', { account: account.id, error: err instanceof Error ? err.message : String(err) }));
        return true;
      }
      if (outcome.reason === 'blocked') {
        logger.warn('link code try refused: wait after wrong tries', { channel: identity.channel, limit: outcome.limit, retryAfterSeconds: Math.ceil(outcome.retryAfterMs / 1000) });
        await context.sendActivity(fill(LINK.blocked, { wait: waitVi(outcome.retryAfterMs) }));
        return true;
      }
      if (outcome.voided) logger.warn('link code void after too many wrong tries', { channel: identity.channel });
      if (outcome.alertOverall !== undefined) {
        logger.warn('link code failures reached the alert threshold', { failures: outcome.alertOverall, windowMinutes: linking.failureWindowMinutes });
        await this.staff.onLinkFailures?.(outcome.alertOverall).catch((err: unknown) => logger.error('could not alert the admins about link code failures', { error: err instanceof Error ? err.message : String(err) }));
      }
      await context.sendActivity(LINK.wrongCode);
      return true;
    }
    const account = identity ? await backoffice.accountByIdentity(identity) : undefined;
    if (!account) return false;
    context.turnState.set(STAFF_ACCOUNT, account);
    await dialog.run(context, this.staffState);
    return true;
  }

  /** A published answer, pushed into the citizen's conversation, with the rating buttons. */
  async deliverAnswer(context: TurnContext, q: string, answerText: string, agencyName: string): Promise<void> {
    const profile = await this.profile(context);
    const t = TEXTS[profile.lang ?? 'vi'];
    profile.pendingRating = q;
    const header = profile.lang === 'en' ? `Your question ${q} has been answered by ${agencyName}:` : `Câu hỏi ${q} đã được ${agencyName} trả lời:`;
    const message = MessageFactory.suggestedActions(['1', '2', '3', '4', '5'], `${header}\n${answerText}\n\n${t.askRating}`);
    // An officer's answer: on Messenger it may go out under the HUMAN_AGENT tag when allowed.
    message.channelData = { hoidapHuman: true };
    await context.sendActivity(message);
    await this.userState.saveChanges(context, false);
  }

  private async profile(context: TurnContext): Promise<CitizenProfile> {
    return this.profileState.get(context, { tickets: [] });
  }

  private async setLanguage(context: TurnContext, detect = true): Promise<void> {
    const profile = await this.profile(context);
    const detected = detect && context.activity.type === ActivityTypes.Message ? detectLanguage(context.activity.text ?? '') : undefined;
    if (detected) profile.lang = detected;
    context.turnState.set(LANG, profile.lang ?? (context.activity.locale?.toLowerCase().startsWith('en') ? 'en' : 'vi'));
  }
}
