import { MessageFactory, TurnContext } from 'botbuilder';
import { redactForPublic } from '../../src/domain/redact';
import { DialogTurnStatus, TextPrompt, WaterfallDialog, type DialogContext, type DialogTurnResult, type PromptValidatorContext, type WaterfallStepContext } from 'botbuilder-dialogs';
import type { BotServices } from '../../src/bot/services';
import type { RouteResult } from '../../src/routing/router';
import type { CaseState } from '../../src/domain/lifecycle';
import { CancelAndHelpDialog } from './cancelAndHelpDialog';
import { logger } from '../../src/observability/logger';
import { fileQuestion, type QuestionFiling } from '../../src/backoffice/held';
import { verifiedAddress, verifiedIdentity } from '../../src/bot/channels';
import { imageAttachments } from '../../src/bot/photos';
import { takePhotos } from './photos';
import { DIALOG_IDS, EVENT_SOURCE, langOf, ledgerChannel, textsFor, withYesNo, yesNo, type CitizenProfile } from './common';
import { CONFIRM_CONTACT_DIALOG, ConfirmContactDialog, contactConfirmation, type ConfirmContactResult } from './confirmContactDialog';

export interface AskOptions {
  /** The question, when the citizen already typed it. */
  text?: string;
  /** Set when the citizen was already asked once to rephrase abusive wording. */
  askedToRephrase?: boolean;
}

interface Draft {
  text: string;
  flagged: boolean;
  name?: string;
  contact?: string;
  locality?: string;
  localityDistrict?: string;
  route?: RouteResult;
  /** The contact was confirmed with a one-time code (now or earlier in this conversation). */
  confirmed?: boolean;
  /** Photos sent while asking (src/bot/photos.ts), filed with the question. */
  photos?: string[];
}

const PROMPTS = { question: 'askQuestion', yesNo: 'askYesNo', send: 'askSend', name: 'askName', contact: 'askContact', locality: 'askLocality' };
export const MIN_QUESTION = 10;
export const MAX_QUESTION = 2000;

/** The longest contact accepted; checked before any pattern sees the text. */
export const MAX_CONTACT = 120;

/** A phone number (Vietnamese mobile or landline, with or without +84) or an email address. */
export function validContact(text: string): string | undefined {
  // The length first: no pattern below ever runs on a long text (a 1 MB reply costs one comparison).
  if (text.length > MAX_CONTACT * 2) return undefined;
  const trimmed = text.trim();
  if (trimmed.length > MAX_CONTACT) return undefined;
  const phone = trimmed.replace(/[\s.()-]/g, '');
  if (/^(\+84|84|0)(3|5|7|8|9)\d{8}$/.test(phone) || /^(\+84|84|0)2\d{9}$/.test(phone)) return phone.replace(/^(\+84|84)/, '0');
  // Domain labels cannot contain the dot that separates them: one way to match, linear time. No address
  // syntax (<>, commas, semicolons, quotes, brackets): "x<an@example.com>" would reach an@example.com
  // while counting as another contact for the code limits.
  if (/^[^\s@<>()[\]\\,;:"]+@(?:[^\s@.<>()[\]\\,;:"]+\.)+[^\s@.<>()[\]\\,;:"]{2,}$/.test(trimmed)) return trimmed.toLowerCase();
  return undefined;
}

/**
 * Sending a question to an agency: the question, answered look-alikes first (a
 * duplicate is the commonest reason for deletion), name, contact, place, the
 * agency and the deadline, confirmation, then the ticket.
 */
export class AskAgencyDialog extends CancelAndHelpDialog {
  constructor(services: BotServices, private readonly profile: (context: TurnContext) => Promise<CitizenProfile>) {
    super(DIALOG_IDS.ask, services);
    this.addDialog(new TextPrompt(PROMPTS.question, (pc) => this.validateQuestion(pc)))
      .addDialog(new TextPrompt(PROMPTS.yesNo, async (pc) => yesNo(services, pc.recognized.value) !== undefined))
      // The final "send it?": "cảm ơn" there is no answer (asked again), unlike at "did it help?".
      .addDialog(new TextPrompt(PROMPTS.send, async (pc) => yesNo(services, pc.recognized.value, false) !== undefined))
      // A name and a place that could be real ("xyz", "asdf" and emoji are asked again).
      .addDialog(new TextPrompt(PROMPTS.name, async (pc) => (pc.recognized.value ?? '').length <= 200 && services.moderation.plausible.name(pc.recognized.value ?? '')))
      .addDialog(new TextPrompt(PROMPTS.contact, async (pc) => validContact(pc.recognized.value ?? '') !== undefined))
      .addDialog(new TextPrompt(PROMPTS.locality, async (pc) => (pc.recognized.value ?? '').length <= 120 && services.moderation.plausible.place(pc.recognized.value ?? '')))
      .addDialog(
        new WaterfallDialog(`${DIALOG_IDS.ask}.steps`, [
          this.questionStep.bind(this),
          this.checkStep.bind(this),
          this.similarAnsweredStep.bind(this),
          this.contactStep.bind(this),
          this.localityStep.bind(this),
          this.confirmStep.bind(this),
          this.verifyStep.bind(this),
          this.fileStep.bind(this),
        ]),
      );
    if (services.confirmation) this.addDialog(new ConfirmContactDialog(services, services.confirmation, validContact, profile));
    this.initialDialogId = `${DIALOG_IDS.ask}.steps`;
  }

  /** Photos sent at any step are kept in the draft (./photos.ts); a photo alone leaves the step waiting for its answer. */
  protected override async onContinueDialog(innerDc: DialogContext): Promise<DialogTurnResult> {
    if (imageAttachments(innerDc.context.activity).length === 0) return super.onContinueDialog(innerDc);
    const draft = (innerDc.stack.find((d) => d.id === `${DIALOG_IDS.ask}.steps`)?.state as { values?: Draft } | undefined)?.values;
    const alone = await takePhotos(this.services, innerDc.context, draft, innerDc.activeDialog?.id === PROMPTS.question);
    return alone ? { status: DialogTurnStatus.waiting } : super.onContinueDialog(innerDc);
  }

  private async validateQuestion(pc: PromptValidatorContext<string>): Promise<boolean> {
    const text = (pc.recognized.value ?? '').trim();
    const t = textsFor(pc.context);
    if (text.length < MIN_QUESTION) {
      await pc.context.sendActivity(t.questionTooShort);
      return false;
    }
    if (text.length > MAX_QUESTION) {
      await pc.context.sendActivity(t.questionTooLong(MAX_QUESTION));
      return false;
    }
    // Mash, emoji, one key held down: never filed, the citizen is asked to write the question.
    if (this.services.moderation.plausible.question(text)) {
      await pc.context.sendActivity(t.notAQuestion);
      return false;
    }
    return true;
  }

  private draft(step: WaterfallStepContext): Draft {
    return step.values as Draft;
  }

  private async questionStep(step: WaterfallStepContext) {
    const options = (step.options ?? {}) as AskOptions;
    const text = options.text?.trim();
    if (text && text.length >= MIN_QUESTION && text.length <= MAX_QUESTION && !this.services.moderation.plausible.question(text)) return step.next(text);
    return step.prompt(PROMPTS.question, { prompt: textsFor(step.context).askQuestion });
  }

  private async checkStep(step: WaterfallStepContext) {
    const t = textsFor(step.context);
    const text = String(step.result).trim();
    const options = (step.options ?? {}) as AskOptions;
    const draft = this.draft(step);
    draft.text = text;
    draft.flagged = false;
    if (this.services.moderation.check(text).length > 0) {
      if (!options.askedToRephrase) {
        await step.context.sendActivity(t.rephrase);
        return step.replaceDialog(this.id, { askedToRephrase: true } satisfies AskOptions);
      }
      // Filed anyway, but the editors see it first: nothing a citizen sends is dropped silently.
      draft.flagged = true;
      await step.context.sendActivity(t.flaggedAnyway);
    }
    const similar = this.services.answered.similar(text);
    if (similar.length === 0) return step.next(undefined);
    const cut = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);
    // Another citizen's question and its answer: redacted as on /hoi-dap, and plain text (Web Chat renders no markdown, no links).
    const offered = MessageFactory.text(t.similarFound(similar.map((s) => ({ q: s.q, question: cut(redactForPublic(s.question), 160), answer: cut(redactForPublic(s.answer), 400) }))));
    offered.textFormat = 'plain';
    await step.context.sendActivity(offered);
    return step.prompt(PROMPTS.yesNo, { prompt: withYesNo(t, t.similarHelped), retryPrompt: withYesNo(t, t.yesNoRetry) });
  }

  private async similarAnsweredStep(step: WaterfallStepContext) {
    const t = textsFor(step.context);
    if (step.result !== undefined && yesNo(this.services, step.result as string) === 'yes') {
      await step.context.sendActivity(t.similarGlad);
      this.services.metrics?.dialogCompleted('ask', 'answered_before');
      return step.endDialog();
    }
    return step.prompt(PROMPTS.name, { prompt: t.askName, retryPrompt: t.nameRetry });
  }

  private async contactStep(step: WaterfallStepContext) {
    this.draft(step).name = String(step.result).trim();
    const t = textsFor(step.context);
    return step.prompt(PROMPTS.contact, { prompt: t.askContact, retryPrompt: t.contactRetry });
  }

  private async localityStep(step: WaterfallStepContext) {
    this.draft(step).contact = validContact(String(step.result));
    const t = textsFor(step.context);
    return step.prompt(PROMPTS.locality, { prompt: t.askLocality, retryPrompt: t.localityRetry });
  }

  private async confirmStep(step: WaterfallStepContext) {
    const t = textsFor(step.context);
    const draft = this.draft(step);
    const said = String(step.result).trim();
    const skipped = this.services.normalizer.fold(said) === this.services.normalizer.fold(t.skipWord) || ['bo qua', 'skip', 'khong'].includes(this.services.normalizer.fold(said));
    if (!skipped) {
      draft.locality = said;
      const tokens = this.services.normalizer.tokens(said);
      draft.localityDistrict = this.services.gazetteer.districtOf(this.services.gazetteer.placesIn(tokens));
      if (!draft.localityDistrict) await step.context.sendActivity(t.localityUnknown);
    }
    const { data } = this.services;
    // The place given here counts like one named in the question (a birth registration in Kim Tân goes to the city).
    const route = this.services.router.route(draft.text, { place: draft.locality });
    draft.route = route;
    const flaggedOrTriage = draft.flagged || route.triage;
    const agencyCode = route.triage || draft.flagged ? route.candidates[0]?.agency ?? route.agency : route.agency;
    const now = this.services.now();
    const summary = t.summary({
      question: draft.text.length > 300 ? `${draft.text.slice(0, 299)}…` : draft.text,
      agency: data.agencies.get(agencyCode)?.name ?? agencyCode,
      triage: flaggedOrTriage,
      acceptDue: data.clock.formatDateVi(data.calendar.deadline(now, data.rules.at(now).deadlines.acceptWorkingDays)),
      answerDue: data.clock.formatDateVi(data.calendar.deadline(now, data.rules.at(now).deadlines.answerWorkingDays)),
      name: draft.name ?? '',
      contact: draft.contact ?? '',
      locality: draft.locality ?? '',
    });
    return step.prompt(PROMPTS.send, { prompt: withYesNo(t, summary), retryPrompt: withYesNo(t, t.summaryRetry) });
  }

  /** "Có": on the portal, the contact is confirmed with a one-time code first (unless already confirmed here). */
  private async verifyStep(step: WaterfallStepContext) {
    const t = textsFor(step.context);
    if (yesNo(this.services, step.result as string, false) !== 'yes') {
      await step.context.sendActivity(t.notFiled);
      this.services.metrics?.dialogCompleted('ask', 'not_confirmed');
      return step.endDialog();
    }
    const draft = this.draft(step);
    const profile = await this.profile(step.context);
    const confirmation = contactConfirmation(this.services, step.context, profile, draft.contact);
    if (confirmation === 'needed') return step.beginDialog(CONFIRM_CONTACT_DIALOG, { contact: draft.contact as string });
    draft.confirmed = confirmation === 'confirmed';
    return step.next(undefined);
  }

  private async fileStep(step: WaterfallStepContext) {
    const t = textsFor(step.context);
    const draft = this.draft(step);
    const confirmed = step.result as ConfirmContactResult | undefined;
    if (confirmed) {
      draft.contact = confirmed.contact;
      draft.confirmed = true;
    }
    const route = draft.route as RouteResult;
    const { data, ledger, store } = this.services;
    const now = this.services.now();
    const triage = draft.flagged || route.triage;
    const agency = triage ? data.policy.routing.triageAgency : route.agency;
    const source = step.context.turnState.get(EVENT_SOURCE) as string | undefined;
    const filing = this.filing(step, draft, route, agency, triage, source);
    if (source && (await store.questionFromSource(source))) {
      // This event was processed before a crash: the use case returns the ticket already filed (not counted again); say so again.
      const again = await fileQuestion({ data, ledger, store }, filing, now);
      const photos = (await this.services.photos?.file(step.context, again.q, draft.photos ?? [])) ?? 0;
      await step.context.sendActivity(this.filedText(step, again, again.state.agency === data.policy.routing.triageAgency, draft.contact, draft.confirmed, photos));
      return step.endDialog({ ticket: again.q });
    }
    // Over a daily limit (per chat identity, per contact, overall): not in the ledger, it waits for an editor.
    const sender = verifiedIdentity(step.context) ?? { channel: `unverified:${step.context.activity.channelId ?? ''}`, userId: step.context.activity.from?.id ?? '' };
    const address = verifiedAddress(step.context);
    const admission = await this.services.held?.admitOrHold({ ...filing, reference: TurnContext.getConversationReference(step.context.activity) }, { ...sender, ...(address ? { address } : {}) }, now);
    if (admission && !admission.admitted) {
      this.services.metrics?.dialogCompleted('ask', 'held');
      await step.context.sendActivity(t.held({ id: admission.id, overall: admission.reason === 'overall' }));
      return step.endDialog();
    }
    // The use case allocates the ticket and records `submitted` and `assigned`; the lifecycle sets the deadlines.
    const { q, state, current } = await fileQuestion({ data, ledger, store }, filing, now);
    const photos = (await this.services.photos?.file(step.context, q, draft.photos ?? [])) ?? 0;
    await this.services.onAssigned?.(q, agency, state).catch((err: unknown) => logger.warn('could not notify the agency', { q, error: err instanceof Error ? err.message : String(err) }));
    const profile = await this.profile(step.context);
    profile.tickets = [...new Set([...(profile.tickets ?? []), q])];
    profile.name = draft.name;
    profile.contact = draft.contact;
    await this.services.rememberConversation?.(q, TurnContext.getConversationReference(step.context.activity));
    this.services.metrics?.questionFiled(ledgerChannel(step.context), triage);
    this.services.metrics?.dialogCompleted('ask', 'filed');
    await step.context.sendActivity(this.filedText(step, { q, current }, triage, draft.contact, draft.confirmed, photos));
    return step.endDialog({ ticket: q });
  }

  /** The ticket, the agency and its deadlines (from the lifecycle's case), and how the answer will be announced. */
  private filedText(step: WaterfallStepContext, filed: { q: string; current: CaseState }, triage: boolean, contact: string | undefined, confirmed = false, photos = 0): string {
    const { data } = this.services;
    const t = textsFor(step.context);
    const notice = this.noticePromise(step, contact);
    const text = t.filed({
      ticket: filed.q,
      agency: data.agencies.get(filed.current.agency)?.name ?? filed.current.agency,
      triage,
      acceptDue: data.clock.formatDateVi(filed.current.acceptDue),
      answerDue: data.clock.formatDateVi(filed.current.answerDue),
      // Said only when a code confirmed it: never when confirmation is off (the demo).
      notice: confirmed && contact ? `${t.confirmContact.confirmed(contact)} ${notice}` : notice,
    });
    return photos > 0 ? `${text}\n${t.photos.filed(photos)}` : text;
  }

  /** The question as the file-a-question use case takes it. */
  private filing(step: WaterfallStepContext, draft: Draft, route: RouteResult, agency: string, triage: boolean, source: string | undefined): QuestionFiling {
    return {
      ...(source ? { source } : {}),
      channel: ledgerChannel(step.context),
      text: draft.text,
      asker: { name: draft.name ?? '', contact: draft.contact ?? '', ...(draft.localityDistrict ? { locality: draft.localityDistrict } : draft.locality ? { locality: draft.locality } : {}) },
      lang: langOf(step.context),
      ...(draft.flagged ? { flags: ['language'] } : {}),
      agency,
      confidence: route.confidence,
      triage,
      ...(triage ? { suggested: route.candidates[0]?.agency } : {}),
    };
  }

  /** How the citizen will be told of the answer: the channels configured for the contact they gave (src/notify). */
  private noticePromise(step: WaterfallStepContext, contact: string | undefined): string {
    return this.services.noticePromise?.(step.context.activity.channelId, contact, langOf(step.context)) ?? '';
  }
}
