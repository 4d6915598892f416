import { MessageFactory, type TurnContext } from 'botbuilder';
import { ComponentDialog, TextPrompt, WaterfallDialog, type WaterfallStepContext } from 'botbuilder-dialogs';
import type { BotServices } from '../../src/bot/services';
import { verifiedAddress, verifiedChannel } from '../../src/bot/channels';
import { contactKey } from '../../src/backoffice/intake-keys';
import type { ContactConfirmer } from '../../src/notify/confirmation';
import { textsFor, type CitizenProfile, type ConfirmedContact } from './common';

export const CONFIRM_CONTACT_DIALOG = 'confirmContact';

export interface ConfirmContactOptions {
  /** The contact to confirm (already checked by validContact). */
  contact: string;
  /** The code last sent in this dialog: a try goes to it. */
  codeId?: string;
  /** Ask for the code again without sending one, after `note`. */
  again?: boolean;
  /** Ask for another contact instead, after `note`. */
  askContact?: boolean;
  note?: string;
}

export interface ConfirmContactResult {
  /** The contact confirmed: the one given, or another the citizen changed to. */
  contact: string;
}

/** Channels whose users the server identifies itself (signed webhooks): their questions need no code. */
const CHANNEL_IDENTIFIED = new Set(['zalo', 'facebook']);

/**
 * Whether this turn's question waits for a confirmed contact ('needed': portal and /api/messages with
 * confirmation on), was confirmed earlier in this conversation ('confirmed'), or is filed without a
 * code ('none': confirmation off, no contact, or a Zalo/Messenger user).
 */
export function contactConfirmation(services: BotServices, context: TurnContext, profile: CitizenProfile, contact: string | undefined): 'needed' | 'confirmed' | 'none' {
  const confirmation = services.confirmation;
  if (!confirmation?.enabled || !contact) return 'none';
  const channel = verifiedChannel(context);
  if (channel && CHANNEL_IDENTIFIED.has(channel)) return 'none';
  return isConfirmed(profile, context, contact, confirmation.policy.confirmedForMinutes, services.now()) ? 'confirmed' : 'needed';
}

/** A contact counts as confirmed only in the conversation where its code was typed, and for confirmedForMinutes. */
function isConfirmed(profile: CitizenProfile, context: TurnContext, contact: string, minutes: number, now: number): boolean {
  const key = contactKey(contact);
  const conversation = context.activity.conversation?.id;
  return liveConfirmations(profile, minutes, now).some((c) => c.key === key && c.conversation === conversation);
}

/** The confirmations still within their time (strings kept from before had no conversation: dropped). */
function liveConfirmations(profile: CitizenProfile, minutes: number, now: number): ConfirmedContact[] {
  return (profile.confirmedContacts ?? []).filter((c): c is ConfirmedContact => typeof c === 'object' && c !== null && now - c.at < minutes * 60_000 && c.at <= now);
}

const PROMPT = 'confirmContact.text';
const STEPS = `${CONFIRM_CONTACT_DIALOG}.steps`;

/**
 * The one-time code that confirms a portal citizen's contact (as FixMyStreet and Alaveteli confirm
 * reports): sends it, takes the code typed, "gửi lại mã" within the limits, "đổi liên hệ" or another
 * contact typed at once, a clear message when the contact cannot be reached or a limit is reached.
 * The question waiting to be filed stays in the calling dialog's state meanwhile.
 */
export class ConfirmContactDialog extends ComponentDialog {
  constructor(
    private readonly services: BotServices,
    private readonly confirmation: ContactConfirmer,
    private readonly validContact: (text: string) => string | undefined,
    private readonly profile: (context: TurnContext) => Promise<CitizenProfile>,
  ) {
    super(CONFIRM_CONTACT_DIALOG);
    this.addDialog(new TextPrompt(PROMPT)).addDialog(new WaterfallDialog(STEPS, [this.askStep.bind(this), this.answerStep.bind(this)]));
    this.initialDialogId = STEPS;
  }

  private async askStep(step: WaterfallStepContext) {
    const options = step.options as ConfirmContactOptions;
    const t = textsFor(step.context).confirmContact;
    const withActions = (text: string, actions: string[]) => MessageFactory.suggestedActions(actions, text);
    const both = [t.actions.resend, t.actions.change];
    if (options.askContact) return step.prompt(PROMPT, { prompt: [options.note, t.askOther].filter(Boolean).join(' ') });
    if (options.again) return step.prompt(PROMPT, { prompt: withActions(options.note ?? '', both) });
    const now = this.services.now();
    const sent = await this.confirmation.send(options.contact, verifiedAddress(step.context), now);
    if (sent.sent) {
      options.codeId = sent.id;
      const text = t.sent({ length: this.confirmation.policy.codeLength, where: t.where(sent.channel, options.contact), minutes: this.confirmation.policy.validityMinutes });
      return step.prompt(PROMPT, { prompt: withActions(text, both) });
    }
    switch (sent.reason) {
      case 'unreachable':
        // Nothing can carry a code there: another contact, or "hủy".
        options.askContact = true;
        return step.prompt(PROMPT, { prompt: `${sent.route === 'none' ? t.unreachable.landline : t.unreachable[sent.route]} ${t.askOther}` });
      case 'wait':
        return step.prompt(PROMPT, { prompt: withActions(t.wait(Math.max(1, Math.ceil((sent.retryAt - now) / 1000))), both) });
      case 'contact':
        return step.prompt(PROMPT, { prompt: withActions(t.limitContact, [t.actions.change]) });
      case 'address':
        return step.prompt(PROMPT, { prompt: t.limitAddress });
    }
  }

  private async answerStep(step: WaterfallStepContext) {
    const options = step.options as ConfirmContactOptions;
    const t = textsFor(step.context).confirmContact;
    const typed = String(step.result ?? '').trim();
    const { contact, codeId } = options;
    const again = (note: string) => step.replaceDialog(STEPS, { contact, codeId, again: true, note } satisfies ConfirmContactOptions);
    const other = this.validContact(typed);
    if (options.askContact) {
      if (!other) return step.replaceDialog(STEPS, { contact, codeId, askContact: true, note: textsFor(step.context).contactRetry } satisfies ConfirmContactOptions);
      return this.useContact(step, other);
    }
    const folded = this.services.normalizer.fold(typed);
    if ([t.actions.resend, 'gui lai', 'gui lai ma', 'gui ma', 'resend', 'send again', 'send the code again'].some((w) => this.services.normalizer.fold(w) === folded))
      return step.replaceDialog(STEPS, { contact, codeId } satisfies ConfirmContactOptions);
    if ([t.actions.change, 'doi lien he', 'doi', 'change', 'change contact'].some((w) => this.services.normalizer.fold(w) === folded))
      return step.replaceDialog(STEPS, { contact, codeId, askContact: true } satisfies ConfirmContactOptions);
    const digits = typed.replace(/[\s.-]/g, '');
    const { codeLength } = this.confirmation.policy;
    // A phone number or an e-mail address typed instead of a code: the citizen changes the contact.
    if (other && digits.length !== codeLength) return this.useContact(step, other);
    if (!/^\d+$/.test(digits) || digits.length !== codeLength || !codeId) return again(t.codeShape(codeLength));
    const result = await this.confirmation.check(codeId, digits, this.services.now());
    switch (result.outcome) {
      case 'confirmed': {
        const profile = await this.profile(step.context);
        const now = this.services.now();
        const key = contactKey(contact);
        const conversation = step.context.activity.conversation?.id ?? '';
        profile.confirmedContacts = [
          ...liveConfirmations(profile, this.confirmation.policy.confirmedForMinutes, now).filter((c) => c.key !== key || c.conversation !== conversation),
          { key, conversation, at: now },
        ];
        return step.endDialog({ contact } satisfies ConfirmContactResult);
      }
      case 'wrong':
        return again(result.triesLeft > 0 ? t.wrong(result.triesLeft) : t.exhausted);
      case 'exhausted':
        return again(t.exhausted);
      default:
        return again(t.expired);
    }
  }

  /** Another contact: confirmed already in this conversation, or a code to it. */
  private async useContact(step: WaterfallStepContext, contact: string) {
    const profile = await this.profile(step.context);
    if (isConfirmed(profile, step.context, contact, this.confirmation.policy.confirmedForMinutes, this.services.now())) return step.endDialog({ contact } satisfies ConfirmContactResult);
    return step.replaceDialog(STEPS, { contact } satisfies ConfirmContactOptions);
  }
}
