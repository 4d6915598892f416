import type { StatePropertyAccessor, TurnContext } from 'botbuilder';
import { DialogTurnStatus, WaterfallDialog, type DialogContext, type DialogState, type DialogTurnResult, type WaterfallStepContext, runDialog } from 'botbuilder-dialogs';
import type { BotServices } from '../../src/bot/services';
import { findTicket } from '../../src/bot/intents';
import { imageAttachments } from '../../src/bot/photos';
import { AskAgencyDialog } from './askAgencyDialog';
import { CancelAndHelpDialog } from './cancelAndHelpDialog';
import { DIALOG_IDS, LANG, textsFor, withMenu, type CitizenProfile } from './common';
import { FaqDialog } from './faqDialog';
import { RatingDialog } from './ratingDialog';
import { StatusDialog } from './statusDialog';
import { parseRating } from './ratingDialog';

/** A request to look up a question already sent, folded: "tra cứu", "kiểm tra câu hỏi của tôi", "xem câu hỏi đã gửi", "check my question". */
const STATUS_REQUEST =
  /^(?:(?:tra cuu|kiem tra|xem|check|look up|find)(?: lai)?(?: (?:cac|nhung))?(?: (?:cau hoi|ma cau hoi|ma|tinh trang cau hoi|tinh trang|ket qua|cau tra loi|tra loi|ticket|question|questions))?|cau hoi|my question|my questions|my ticket)(?: (?:cua toi|cua minh|cua em|cua chau|da gui|toi da gui|minh da gui|em da gui|my question|my questions|my ticket))?$/;

/** A lookup request about the citizen's own questions ("của tôi", "đã gửi", "my"): list them rather than ask for a ticket. */
const MINE = /(?:^| )(?:cua (?:toi|minh|em|chau)|da gui|my)(?: |$)/;

/**
 * The citizen's entry point: a ticket number is looked up, a menu choice starts
 * its dialog, and anything that reads like a question goes to the knowledge base
 * first, then to an agency.
 */
export class MainDialog extends CancelAndHelpDialog {
  constructor(
    services: BotServices,
    private readonly profile: (context: TurnContext) => Promise<CitizenProfile>,
  ) {
    super(DIALOG_IDS.main, services);
    this.addDialog(new AskAgencyDialog(services, profile))
      .addDialog(new FaqDialog(services))
      .addDialog(new StatusDialog(services, profile))
      .addDialog(new RatingDialog(services))
      .addDialog(new WaterfallDialog(`${DIALOG_IDS.main}.steps`, [this.dispatchStep.bind(this), this.endStep.bind(this)]));
    this.initialDialogId = `${DIALOG_IDS.main}.steps`;
  }

  /** Runs a turn: continues the dialog in progress, or starts over from the dispatch. */
  async run(context: TurnContext, accessor: StatePropertyAccessor<DialogState>): Promise<void> {
    await runDialog(this, context, accessor);
  }

  /** A photo is taken only while asking an agency (AskAgencyDialog keeps it); anywhere else the citizen is told so. */
  protected override async onContinueDialog(innerDc: DialogContext): Promise<DialogTurnResult> {
    if (imageAttachments(innerDc.context.activity).length > 0 && innerDc.activeDialog?.id !== DIALOG_IDS.ask) {
      await innerDc.context.sendActivity(textsFor(innerDc.context).photos.outsideAsking);
      if (!innerDc.context.activity.text?.trim()) return { status: DialogTurnStatus.waiting };
    }
    return super.onContinueDialog(innerDc);
  }

  private async dispatchStep(step: WaterfallStepContext) {
    const text = (step.context.activity.text ?? '').trim();
    const t = textsFor(step.context);
    if (imageAttachments(step.context.activity).length > 0) {
      await step.context.sendActivity(withMenu(t, t.photos.outsideAsking));
      if (!text) return step.endDialog();
    }
    const ticket = findTicket(text);
    if (ticket) return step.beginDialog(DIALOG_IDS.status, { ticket });
    // A rating right after an answer was pushed to the citizen.
    const profile = await this.profile(step.context);
    const rating = parseRating(text);
    if (rating !== undefined && profile.pendingRating) {
      const q = profile.pendingRating;
      profile.pendingRating = undefined;
      return step.beginDialog(DIALOG_IDS.rating, { ticket: q, rating });
    }
    const fold = (s: string) => this.services.normalizer.fold(s);
    const choice = fold(text);
    if (choice === fold(t.menuActions.ask)) return step.beginDialog(DIALOG_IDS.ask, {});
    if (choice === fold(t.menuActions.status)) return step.beginDialog(DIALOG_IDS.status, {});
    if (choice === fold(t.menuActions.faq)) return step.beginDialog(DIALOG_IDS.faq, {});
    switch (this.services.intents.recognize(text)) {
      case 'ask_agency':
        return step.beginDialog(DIALOG_IDS.ask, {});
      case 'check_status':
        return step.beginDialog(DIALOG_IDS.status, { mine: MINE.test(choice) });
      case 'faq':
        return step.beginDialog(DIALOG_IDS.faq, {});
      case 'thanks':
        await step.context.sendActivity(step.context.turnState.get(LANG) === 'en' ? 'You are welcome!' : 'Không có gì ạ. Bạn cần hỏi thêm cứ nhắn nhé.');
        return step.endDialog();
      case 'help':
        await step.context.sendActivity(withMenu(t, t.help));
        return step.endDialog();
      case undefined:
        break;
      default:
        // greeting, menu, a stray "có"/"không"/"hủy" with nothing in progress: show what the bot can do.
        await step.context.sendActivity(withMenu(t, t.welcome));
        return step.endDialog();
    }
    // "tra cứu", "kiểm tra câu hỏi của tôi": the citizen's own question, not the FAQ entry about the service.
    if (STATUS_REQUEST.test(choice)) return step.beginDialog(DIALOG_IDS.status, { mine: MINE.test(choice) });
    const problem = this.services.moderation.plausible.question(text);
    if (problem) {
      // A few words may still name a procedure ("khai tử", "BHYT", "sổ đỏ"): answer it; anything else is never searched nor filed.
      if (problem === 'too_short' && /\p{L}[^]*\p{L}/u.test(text) && this.services.faq.match(text)) return step.beginDialog(DIALOG_IDS.faq, { text });
      this.services.metrics?.dialogCompleted('main', `not_a_question_${problem}`);
      await step.context.sendActivity(withMenu(t, t.notAQuestion));
      return step.endDialog();
    }
    return step.beginDialog(DIALOG_IDS.faq, { text });
  }

  private async endStep(step: WaterfallStepContext) {
    return step.endDialog(step.result);
  }
}
