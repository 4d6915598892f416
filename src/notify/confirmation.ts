import { createHmac, randomInt, randomUUID } from 'node:crypto';
import type { CodeTry, ContactCodes } from '../app/ports';
import type { Policy } from '../domain/policy';
import type { LocalClock } from '../domain/time';
import { contactKey } from '../backoffice/intake-keys';
import { logger } from '../observability/logger';
import type { ChannelQueueStore, NewOutboundMessage, NotificationChannel } from '../store/channel-types';
import { contactKind, nationalPhone } from './notices';
import { renderCode, type CodeVars, type NoticePolicy } from './policy';

/**
 * One-time codes that confirm the phone number or e-mail address a portal citizen gives before
 * their question is filed (data/policy.json contactConfirmation): sent through the same outbox and
 * senders as the answer notices (e-mail, SMS, ZNS where a code template is configured), stored as a
 * hash keyed by the code's id, limited per contact (overall, and per requesting network address) and
 * per network address per local day, with a wait before the same requester gets another code. Neither the code nor the contact ever reaches a log line.
 */

export type ConfirmationPolicy = Policy['contactConfirmation'];

/** How a code reaches a contact, or why none can. */
export type CodeRoute = { ok: true; channel: NotificationChannel } | { ok: false; reason: 'emailOff' | 'phoneOff' | 'landline' | 'none' };

export type CodeSent =
  | { sent: true; id: string; channel: NotificationChannel; expiresAt: number }
  | { sent: false; reason: 'contact' | 'address' }
  | { sent: false; reason: 'wait'; retryAt: number }
  | { sent: false; reason: 'unreachable'; route: Exclude<CodeRoute, { ok: true }>['reason'] };

export interface ContactConfirmer {
  /** Whether portal questions wait for a confirmed contact in this process. */
  readonly enabled: boolean;
  readonly policy: ConfirmationPolicy;
  route(contact: string): CodeRoute;
  /** Sends a new code to `contact` (address: the portal sender's hashed network address). */
  send(contact: string, address: string | undefined, now: number): Promise<CodeSent>;
  /** One try of what the citizen typed on code `id`. */
  check(id: string, typed: string, now: number): Promise<CodeTry>;
}

/**
 * HOIDAP_CONFIRM_CONTACTS: "1" or "0" turns contact confirmation on or off whatever data/policy.json
 * says (an operator's switch; the demo is off unless it is "1"). Undefined when unset.
 */
export function confirmContactsFromEnv(env: NodeJS.ProcessEnv = process.env): boolean | undefined {
  const value = env.HOIDAP_CONFIRM_CONTACTS;
  if (value === '1' || value === 'true') return true;
  if (value === '0' || value === 'false') return false;
  return undefined;
}

/** The stored hash of a code: keyed by the code's id, so that equal codes never hash alike. */
export function codeHash(id: string, code: string): string {
  return createHmac('sha256', id).update(code, 'utf8').digest('hex');
}

export interface ContactConfirmationDeps {
  policy: ConfirmationPolicy;
  /** Overrides policy.enabled (the demo's default, HOIDAP_CONFIRM_CONTACTS). */
  enabled?: boolean;
  notices: NoticePolicy;
  /** The notification channels configured in this process. */
  channels: ReadonlySet<NotificationChannel>;
  /** The province's local days (the daily limits count per local day). */
  clock: Pick<LocalClock, 'dayOf' | 'startOfDay'>;
  codes: ContactCodes;
  queue: Pick<ChannelQueueStore, 'enqueueOutbound'>;
  kick?: () => void;
}

export class ContactConfirmation implements ContactConfirmer {
  readonly enabled: boolean;
  readonly policy: ConfirmationPolicy;

  constructor(private readonly deps: ContactConfirmationDeps) {
    this.enabled = deps.enabled ?? deps.policy.enabled;
    this.policy = deps.policy;
  }

  route(contact: string): CodeRoute {
    const kind = contactKind(contact);
    const { channels, notices } = this.deps;
    if (kind === 'email') return channels.has('email') ? { ok: true, channel: 'email' } : { ok: false, reason: 'emailOff' };
    if (kind === 'mobile') {
      // ZNS only with a code template of its own; otherwise the next phone channel configured.
      const channel = notices.phoneChannels.find((c) => channels.has(c) && (c !== 'zns' || notices.code.zns.templateId !== null));
      return channel ? { ok: true, channel } : { ok: false, reason: 'phoneOff' };
    }
    return { ok: false, reason: kind === 'landline' ? 'landline' : 'none' };
  }

  async send(contact: string, address: string | undefined, now: number): Promise<CodeSent> {
    const route = this.route(contact);
    if (!route.ok) return { sent: false, reason: 'unreachable', route: route.reason };
    const { policy } = this;
    const id = randomUUID();
    const code = String(randomInt(0, 10 ** policy.codeLength)).padStart(policy.codeLength, '0');
    const expiresAt = now + policy.validityMinutes * 60_000;
    const dayStart = this.deps.clock.startOfDay(this.deps.clock.dayOf(now));
    const issued = await this.deps.codes.issue(
      { id, contact: contactKey(contact), ...(address ? { address } : {}), codeHash: codeHash(id, code), createdAt: now, expiresAt, tries: policy.triesPerCode },
      dayStart,
      { perContact: policy.codesPerContactPerDay, perContactPerRequester: policy.codesPerContactPerRequesterPerDay, perAddress: policy.codesPerAddressPerDay, resendAfterMs: policy.resendAfterSeconds * 1000 },
    );
    if (!issued.ok) {
      logger.info('contact code not sent: a limit', { limit: issued.reason });
      if (issued.reason === 'wait') return { sent: false, reason: 'wait', retryAt: issued.retryAt };
      // The contact's overall cap and this requester's share of it read alike: a stranger learns nothing of others' codes.
      return { sent: false, reason: issued.reason === 'address' ? 'address' : 'contact' };
    }
    await this.deps.queue.enqueueOutbound([this.message(route.channel, contact, code, id)], now);
    this.deps.kick?.();
    // The code's id and the channel only: never the code, never the contact.
    logger.info('contact code queued', { codeId: id, channel: route.channel });
    return { sent: true, id, channel: route.channel, expiresAt };
  }

  async check(id: string, typed: string, now: number): Promise<CodeTry> {
    const digits = typed.replace(/\s+/g, '');
    return this.deps.codes.attempt(id, codeHash(id, digits), now);
  }

  private message(channel: NotificationChannel, contact: string, code: string, id: string): NewOutboundMessage {
    const { notices } = this.deps;
    const vars: CodeVars = { code, minutes: String(this.policy.validityMinutes), siteUrl: notices.siteUrl.replace(/\/+$/, '') };
    const requestId = `contact-code:${id}`;
    if (channel === 'email')
      return { channel, recipient: contact.trim().toLowerCase(), payload: { subject: renderCode(notices.code.email.subject, vars), text: renderCode(notices.code.email.text, vars), requestId } };
    const phone = nationalPhone(contact);
    const sms = renderCode(notices.code.sms, vars);
    if (channel === 'sms') return { channel, recipient: phone, payload: { text: sms, requestId } };
    const data = Object.fromEntries(Object.entries(notices.code.zns.params).map(([param, value]) => [param, renderCode(value, vars)]));
    const smsAfter = this.deps.channels.has('sms') && notices.phoneChannels.indexOf('sms') > notices.phoneChannels.indexOf('zns');
    return {
      channel,
      recipient: phone,
      payload: {
        // The admins' view of the outbox shows this summary: not the code.
        text: `ZNS ${notices.code.zns.templateId}: mã xác nhận`,
        template: { id: notices.code.zns.templateId as string, data },
        requestId,
        ...(smsAfter ? { fallback: { channel: 'sms' as const, text: sms } } : {}),
      },
    };
  }
}
