import { TextPrompt, WaterfallDialog, type PromptValidatorContext, type WaterfallStepContext } from 'botbuilder-dialogs';
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
    this.addDialog(new TextPrompt('faqTopic', (pc) => this.validateTopic(pc)))
      .addDialog(new TextPrompt('faqHelped', async (pc) => yesNo(services, pc.recognized.value) !== undefined))
      .addDialog(new TextPrompt('faqUnclear', (pc) => this.validateUnclear(pc)))
      .addDialog(
        new WaterfallDialog(`${DIALOG_IDS.faq}.steps`, [this.topicStep.bind(this), this.answerStep.bind(this), this.helpedStep.bind(this), this.unclearStep.bind(this)]),
      );
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
    // The search words alone are not the question: what is still unclear is, said in the citizen's words.
    return step.prompt('faqUnclear', { prompt: t.faqWhatUnclear });
  }

  private async unclearStep(step: WaterfallStepContext) {
    const t = textsFor(step.context);
    const said = String(step.result ?? '').trim();
    if (yesNo(this.services, said) === 'yes') {
      await step.context.sendActivity(t.faqGlad);
      return step.endDialog({ faq: (step.values as FaqValues).entry, helped: true });
    }
    await step.context.sendActivity(t.offerToAsk);
    // The officer reads both: what was searched, then what is still unclear (unless it repeats the search).
    const searched = (step.values as FaqValues).text ?? '';
    const fold = (x: string) => this.services.normalizer.fold(x);
    const text = searched && !fold(said).includes(fold(searched)) ? `${withoutEndPunctuation(searched)}. ${said}` : said;
    return step.replaceDialog(DIALOG_IDS.ask, (text.length >= MIN_QUESTION ? { text } : {}) satisfies AskOptions);
  }

  /** The topic: a question, or a few words that name a procedure; mash and emoji get a request to write it. */
  private async validateTopic(pc: PromptValidatorContext<string>): Promise<boolean> {
    const text = (pc.recognized.value ?? '').trim();
    if (!text) return false;
    if (!this.services.moderation.plausible.question(text) || this.services.faq.match(text)) return true;
    await pc.context.sendActivity(textsFor(pc.context).notAQuestion);
    return false;
  }

  /** What is still unclear: a question, or "cảm ơn"/"có" to close. */
  private async validateUnclear(pc: PromptValidatorContext<string>): Promise<boolean> {
    const text = (pc.recognized.value ?? '').trim();
    if (yesNo(this.services, text) === 'yes') return true;
    if (!this.services.moderation.plausible.question(text)) return true;
    await pc.context.sendActivity(textsFor(pc.context).notAQuestion);
    return false;
  }

  private render(entry: FaqEntry, lang: 'vi' | 'en'): string {
    const agency = this.services.data.agencies.get(entry.agency)?.name ?? entry.agency;
    return formatFaqAnswer(entry, lang, agency);
  }
}

/** "khai tử cho bố?? " → "khai tử cho bố" (a loop, not a trailing pattern: linear on any text). */
function withoutEndPunctuation(text: string): string {
  let end = text.length;
  while (end > 0 && '.?!… \t\n'.includes(text[end - 1])) end -= 1;
  return text.slice(0, end);
}
