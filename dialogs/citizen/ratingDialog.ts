import { TextPrompt, WaterfallDialog, type WaterfallStepContext } from 'botbuilder-dialogs';
import { MessageFactory } from 'botbuilder';
import type { BotServices } from '../../src/bot/services';
import { WorkflowError } from '../../src/app/errors';
import { rateAnswer } from '../../src/app/questions/rate';
import { logger } from '../../src/observability/logger';
import { CancelAndHelpDialog } from './cancelAndHelpDialog';
import { DIALOG_IDS, textsFor } from './common';

export interface RatingOptions {
  ticket: string;
  /** Already given (a tap on the rating buttons under a pushed answer). */
  rating?: number;
}

/** "3", "4 sao", "5 điểm": the first digit 1..5 of a short reply. */
export function parseRating(text: string | undefined): number | undefined {
  // A rating is a few characters: longer replies are not one (and never reach the pattern).
  const trimmed = (text ?? '').trim();
  if (trimmed.length > 20) return undefined;
  const m = /^([1-5])(?:\s*(?:sao|điểm|diem|\/\s*5|stars?))?\s*[.!]?$/i.exec(trimmed);
  return m ? Number(m[1]) : undefined;
}

/** The citizen's 1..5 rating of a published answer (đánh giá sự hài lòng). */
export class RatingDialog extends CancelAndHelpDialog {
  constructor(services: BotServices) {
    super(DIALOG_IDS.rating, services);
    this.addDialog(new TextPrompt('ratingValue', async (pc) => parseRating(pc.recognized.value) !== undefined)).addDialog(
      new WaterfallDialog(`${DIALOG_IDS.rating}.steps`, [this.askStep.bind(this), this.recordStep.bind(this)]),
    );
    this.initialDialogId = `${DIALOG_IDS.rating}.steps`;
  }

  private async askStep(step: WaterfallStepContext) {
    const given = (step.options as RatingOptions).rating;
    if (given !== undefined) return step.next(String(given));
    const t = textsFor(step.context);
    const choices = ['1', '2', '3', '4', '5'];
    return step.prompt('ratingValue', { prompt: MessageFactory.suggestedActions(choices, t.askRating), retryPrompt: MessageFactory.suggestedActions(choices, t.ratingRetry) });
  }

  private async recordStep(step: WaterfallStepContext) {
    const t = textsFor(step.context);
    const rating = parseRating(String(step.result)) as number;
    const { ticket } = step.options as RatingOptions;
    const { store, ledger, data } = this.services;
    try {
      await rateAnswer({ facts: data, ledger: store, writer: ledger, now: this.services.now, log: logger }, { q: ticket, rating });
    } catch (err) {
      if (!(err instanceof WorkflowError)) throw err;
      logger.warn('rating refused', { q: ticket, reason: err.message });
      await step.context.sendActivity(t.error);
      return step.endDialog();
    }
    this.services.metrics?.dialogCompleted('rating', String(rating));
    await step.context.sendActivity(t.rated(rating));
    return step.endDialog({ rating });
  }
}
