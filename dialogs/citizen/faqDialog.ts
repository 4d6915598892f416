import { TextPrompt, WaterfallDialog, type WaterfallStepContext } from 'botbuilder-dialogs';
import type { BotServices } from '../../src/bot/services';
import { formatFaqAnswer, type FaqEntry } from '../../src/routing/faq';
import { MIN_QUESTION, type AskOptions } from './askAgencyDialog';
import { CancelAndHelpDialog } from './cancelAndHelpDialog';
import { DIALOG_IDS, langOf, textsFor, withYesNo, yesNo } from './common';

interface FaqValues {
  text?: string;
  entry?: string;
}

export interface FaqOptions {
  text?: string;
}

/** Common procedures from the knowledge base: says which entry it used and asks whether it helped. */
export class FaqDialog extends CancelAndHelpDialog {
  constructor(services: BotServices) {
    super(DIALOG_IDS.faq, services);
    this.addDialog(new TextPrompt('faqTopic', async (pc) => (pc.recognized.value ?? '').trim().length > 0))
      .addDialog(new TextPrompt('faqHelped', async (pc) => yesNo(services, pc.recognized.value) !== undefined))
      .addDialog(new WaterfallDialog(`${DIALOG_IDS.faq}.steps`, [this.topicStep.bind(this), this.answerStep.bind(this), this.helpedStep.bind(this)]));
    this.initialDialogId = `${DIALOG_IDS.faq}.steps`;
  }

  private async topicStep(step: WaterfallStepContext) {
    const text = ((step.options ?? {}) as FaqOptions).text;
    if (text) return step.next(text);
    return step.prompt('faqTopic', { prompt: textsFor(step.context).faqPrompt });
  }

  private async answerStep(step: WaterfallStepContext) {
    const t = textsFor(step.context);
    const text = String(step.result).trim();
    (step.values as FaqValues).text = text;
    const match = this.services.faq.match(text);
    if (!match) {
      await step.context.sendActivity(`${t.faqNotFound} ${t.offerToAsk}`);
      return step.replaceDialog(DIALOG_IDS.ask, (text.length >= MIN_QUESTION ? { text } : {}) satisfies AskOptions);
    }
    (step.values as FaqValues).entry = match.entry.id;
    await step.context.sendActivity(this.render(match.entry, langOf(step.context)));
    return step.prompt('faqHelped', { prompt: withYesNo(t, t.faqHelped), retryPrompt: withYesNo(t, t.yesNoRetry) });
  }

  private async helpedStep(step: WaterfallStepContext) {
    const t = textsFor(step.context);
    if (yesNo(this.services, step.result as string) === 'yes') {
      await step.context.sendActivity(t.faqGlad);
      this.services.metrics?.dialogCompleted('faq', 'helped');
      return step.endDialog({ faq: (step.values as FaqValues).entry, helped: true });
    }
    await step.context.sendActivity(t.offerToAsk);
    const text = (step.values as FaqValues).text ?? '';
    return step.replaceDialog(DIALOG_IDS.ask, (text.length >= MIN_QUESTION ? { text } : {}) satisfies AskOptions);
  }

  private render(entry: FaqEntry, lang: 'vi' | 'en'): string {
    const agency = this.services.data.agencies.get(entry.agency)?.name ?? entry.agency;
    return formatFaqAnswer(entry, lang, agency);
  }
}
