import { ActivityHandler, ActivityTypes, type ConversationState, type StatePropertyAccessor, type TurnContext, type UserState } from 'botbuilder';
import type { DialogState } from 'botbuilder-dialogs';
import { DIALOG_STATE, LANG, PROFILE, withMenu, type CitizenProfile } from '../../dialogs/citizen/common';
import { MainDialog } from '../../dialogs/citizen/mainDialog';
import { detectLanguage } from '../routing/language';
import { logger } from '../observability/logger';
import type { BotServices } from './services';
import { TEXTS } from './texts';

export interface BotMetrics {
  turn(channel: string): void;
  error(channel: string): void;
  dialogCompleted(dialog: string, outcome: string): void;
  questionFiled(channel: string, triage: boolean): void;
}

/**
 * The bot: a thin ActivityHandler (BotBuilder-Samples' core bot) that picks the
 * language, hands the turn to the main dialog, and saves conversation and user
 * state at the end of every turn, so a restart between two steps loses nothing.
 */
export class HoidapBot extends ActivityHandler {
  private readonly dialogState: StatePropertyAccessor<DialogState>;
  private readonly profileState: StatePropertyAccessor<CitizenProfile>;
  readonly dialog: MainDialog;

  constructor(
    private readonly conversationState: ConversationState,
    private readonly userState: UserState,
    services: BotServices,
    private readonly metrics?: BotMetrics,
  ) {
    super();
    this.dialogState = conversationState.createProperty<DialogState>(DIALOG_STATE);
    this.profileState = userState.createProperty<CitizenProfile>(PROFILE);
    this.dialog = new MainDialog(services, (context) => this.profile(context));

    this.onMessage(async (context, next) => {
      this.metrics?.turn(context.activity.channelId);
      await this.setLanguage(context);
      if (!context.activity.text?.trim()) {
        // Images, stickers, files: said politely, the dialog waits where it was.
        await context.sendActivity(TEXTS[context.turnState.get(LANG) as 'vi' | 'en'].onlyText);
      } else {
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

  private async profile(context: TurnContext): Promise<CitizenProfile> {
    return this.profileState.get(context, { tickets: [] });
  }

  private async setLanguage(context: TurnContext): Promise<void> {
    const profile = await this.profile(context);
    const detected = context.activity.type === ActivityTypes.Message ? detectLanguage(context.activity.text ?? '') : undefined;
    if (detected) profile.lang = detected;
    context.turnState.set(LANG, profile.lang ?? (context.activity.locale?.toLowerCase().startsWith('en') ? 'en' : 'vi'));
  }
}
