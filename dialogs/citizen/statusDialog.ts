import { MessageFactory, type TurnContext } from 'botbuilder';
import { TextPrompt, WaterfallDialog, type WaterfallStepContext } from 'botbuilder-dialogs';
import type { BotServices } from '../../src/bot/services';
import { findTicket } from '../../src/bot/intents';
import { openCase } from '../../src/domain/lifecycle';
import { CancelAndHelpDialog } from './cancelAndHelpDialog';
import { myQuestionsMessage } from './myQuestions';
import { DIALOG_IDS, textsFor, type CitizenProfile } from './common';
import { redactForPublic } from '../../src/domain/redact';
import { validContact } from './askAgencyDialog';
import { CONFIRM_CONTACT_DIALOG, ConfirmContactDialog, contactConfirmation, type ConfirmContactResult } from './confirmContactDialog';

/** "tra cứu" by a confirmed contact: the questions filed with it, offered as the citizen's own. */
const BY_CONTACT = `${DIALOG_IDS.status}.byContact`;

export interface StatusOptions {
  ticket?: string;
  /** "Câu hỏi của tôi": list this identity's questions rather than ask for a ticket. */
  mine?: boolean;
}

/** Checking a question by its ticket number: status, agency, deadline, and the answer once published. */
export class StatusDialog extends CancelAndHelpDialog {
  constructor(services: BotServices, private readonly profile: (context: TurnContext) => Promise<CitizenProfile>) {
    super(DIALOG_IDS.status, services);
    this.addDialog(new TextPrompt('statusTicket', async (pc) => findTicket(pc.recognized.value ?? '') !== undefined || this.contactOf(pc.recognized.value) !== undefined)).addDialog(
      new WaterfallDialog(`${DIALOG_IDS.status}.steps`, [this.ticketStep.bind(this), this.showStep.bind(this), this.doneStep.bind(this)]),
    );
    this.initialDialogId = `${DIALOG_IDS.status}.steps`;
    if (services.confirmation?.enabled && services.questionsByContact) {
      this.addDialog(new ConfirmContactDialog(services, services.confirmation, validContact, profile));
      this.addDialog(new WaterfallDialog(BY_CONTACT, [this.confirmContactStep.bind(this), this.contactQuestionsStep.bind(this)]));
    }
  }

  /** A phone or e-mail typed instead of a ticket, when questions can be looked up by a confirmed contact. */
  private contactOf(text: string | undefined): string | undefined {
    if (!this.services.confirmation?.enabled || !this.services.questionsByContact || findTicket(text ?? '') !== undefined) return undefined;
    return validContact(text ?? '');
  }

  private async confirmContactStep(step: WaterfallStepContext) {
    const contact = (step.options as { contact: string }).contact;
    // Confirmed already in this conversation: no second code.
    if (contactConfirmation(this.services, step.context, await this.profile(step.context), contact) !== 'needed') return step.next({ contact } satisfies ConfirmContactResult);
    return step.beginDialog(CONFIRM_CONTACT_DIALOG, { contact });
  }

  private async contactQuestionsStep(step: WaterfallStepContext) {
    const { contact } = step.result as ConfirmContactResult;
    const tickets = (await this.services.questionsByContact?.(contact)) ?? [];
    if (tickets.length === 0) {
      await step.context.sendActivity(textsFor(step.context).confirmContact.noneForContact(contact));
      return step.endDialog();
    }
    // Theirs now, as if asked from this chat: offered as buttons (newest first), and theirs to rate.
    const profile = await this.profile(step.context);
    profile.tickets = [...new Set([...(profile.tickets ?? []).filter((q) => !tickets.includes(q)), ...[...tickets].reverse()])];
    return step.replaceDialog(`${DIALOG_IDS.status}.steps`);
  }

  private async ticketStep(step: WaterfallStepContext) {
    const options = (step.options ?? {}) as StatusOptions;
    if (options.ticket) return step.next(options.ticket);
    const t = textsFor(step.context);
    if (options.mine) {
      const tickets = (await this.profile(step.context)).tickets ?? [];
      if (tickets.length === 0) return step.prompt('statusTicket', { prompt: t.myQuestionsNone, retryPrompt: t.ticketRetry });
      await step.context.sendActivity(await myQuestionsMessage(this.services, t, tickets));
      this.services.metrics?.dialogCompleted('status', 'my_questions');
      return step.endDialog();
    }
    // "câu hỏi của tôi": the questions this person filed from this chat identity (Zalo, Messenger), newest first, as buttons.
    const mine = [...((await this.profile(step.context)).tickets ?? [])].reverse().slice(0, 5);
    if (mine.length > 0) return step.prompt('statusTicket', { prompt: MessageFactory.suggestedActions(mine, t.myQuestions(mine)), retryPrompt: t.ticketRetry });
    const byContact = this.services.confirmation?.enabled && this.services.questionsByContact ? ` ${t.confirmContact.lookupHint}` : '';
    return step.prompt('statusTicket', { prompt: `${t.askTicket}${byContact}`, retryPrompt: t.ticketRetry });
  }

  private async showStep(step: WaterfallStepContext) {
    const t = textsFor(step.context);
    const contact = this.contactOf(String(step.result));
    if (contact) return step.replaceDialog(BY_CONTACT, { contact });
    const ticket = findTicket(String(step.result)) as string;
    const { store, data } = this.services;
    const state = (await store.loadQuestions([ticket])).get(ticket);
    if (!state) {
      await step.context.sendActivity(t.ticketUnknown(ticket));
      return step.endDialog();
    }
    const agency = state.agency ? (data.agencies.get(state.agency)?.name ?? state.agency) : '—';
    const open = openCase(state);
    let answer: string | undefined;
    let answeredOn: string | undefined;
    if (state.status === 'answered') {
      const answered = (await store.questionEvents(ticket)).filter((e) => e.type === 'answered').pop();
      if (answered) {
        // Anyone may type a ticket number (they are sequential): the answer shown is the published one, contacts masked.
        answer = redactForPublic(String((JSON.parse(answered.body) as { text?: unknown }).text ?? ''));
        answeredOn = data.clock.formatDateVi(answered.at);
      }
    }
    await step.context.sendActivity(
      t.status({ ticket, status: t.statusNames[state.status], agency, answerDue: open ? data.clock.formatDateVi(open.answerDue) : undefined, answer, answeredOn }),
    );
    this.services.metrics?.dialogCompleted('status', state.status);
    // Only the person who asked rates the answer, once.
    const profile = await this.profile(step.context);
    if (state.status === 'answered' && state.rating === undefined && profile.tickets?.includes(ticket)) return step.beginDialog(DIALOG_IDS.rating, { ticket });
    return step.endDialog();
  }

  private async doneStep(step: WaterfallStepContext) {
    return step.endDialog(step.result);
  }
}
