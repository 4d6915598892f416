import type { ProvinceData } from '../config/data';
import { logger } from '../observability/logger';
import type { ChannelQueueStore, NewOutboundMessage, NotificationChannel } from '../store/channel-types';
import type { LedgerStore } from '../store/types';
import { linkVars, render, smsText, type NoticePolicy, type NoticeVars } from './policy';

/**
 * When an answer is published, the citizen who gave an e-mail address or a mobile number
 * (portal questions, mostly) is told on it: one notice per question, queued in the outbox
 * with its once-only key in the same transaction, so a second publication, a retry of the
 * trigger or a restart never sends it twice. Zalo and Messenger askers are told in their
 * chat (the answer hand-over) and get no notice.
 *
 * Logs name the question and the channel, never the contact.
 */

/** The key that records that a question's answer notice was queued. */
export const answerNoticeKey = (q: string): string => `answer-notice:${q}`;
/** Recorded at the first start with notices: answers published before it are never notified (imported ledgers). */
export const NOTICES_SINCE_KEY = 'answer-notices-since';

export type ContactKind = 'email' | 'mobile' | 'landline' | 'none';

export type NoticeRoute =
  | { kind: 'chat' }
  | { kind: 'email' | 'mobile'; channel?: NotificationChannel }
  | { kind: 'landline' | 'none' };

export function contactKind(contact: string | undefined): ContactKind {
  const value = (contact ?? '').trim();
  if (value === '') return 'none';
  if (value.includes('@')) return 'email';
  const phone = nationalPhone(value);
  if (/^0[35789]\d{8}$/.test(phone)) return 'mobile';
  if (/^0\d{9,10}$/.test(phone)) return 'landline';
  return 'none';
}

/** 0xxxxxxxxx from +84…, 84… or 0… with spaces, dots, dashes or brackets. */
export function nationalPhone(value: string): string {
  const digits = value.replace(/[\s.()-]/g, '').replace(/^\+/, '');
  return digits.startsWith('84') && digits.length >= 11 ? `0${digits.slice(2)}` : digits;
}

/** What the bot promises when a question is filed; the same choice `AnswerNotices` makes when it is answered. */
export interface NoticePromises {
  route(channel: string | undefined, contact: string | undefined): NoticeRoute;
  /** The sentence saying how the citizen will be told (`lang` 'vi' or 'en'; the channel id of the conversation). */
  promise(channel: string | undefined, contact: string | undefined, lang: string): string;
}

export function noticePromises(policy: NoticePolicy, enabled: ReadonlySet<NotificationChannel>): NoticePromises {
  const route = (channel: string | undefined, contact: string | undefined): NoticeRoute => {
    if (channel === 'zalo' || channel === 'facebook') return { kind: 'chat' };
    const kind = contactKind(contact);
    if (kind === 'email') return enabled.has('email') ? { kind, channel: 'email' } : { kind };
    if (kind === 'mobile') {
      const channelFor = policy.phoneChannels.find((c) => enabled.has(c));
      return channelFor ? { kind, channel: channelFor } : { kind };
    }
    return { kind };
  };
  return {
    route,
    promise(channel, contact, lang) {
      const texts = lang === 'en' ? policy.promise.en : policy.promise.vi;
      const r = route(channel, contact);
      if (r.kind === 'chat') return texts.chat;
      if (r.kind === 'email') return r.channel ? texts.email : texts.emailOff;
      if (r.kind === 'mobile') return r.channel === 'zns' ? texts.zns : r.channel === 'sms' ? texts.sms : texts.phoneOff;
      return texts.unreachable;
    },
  };
}

export interface AnswerNoticesDeps {
  policy: NoticePolicy;
  /** The notification channels configured in this process (the others are off). */
  enabled: ReadonlySet<NotificationChannel>;
  data: Pick<ProvinceData, 'clock' | 'agencies'>;
  store: Pick<LedgerStore, 'questionEvents'>;
  queue: Pick<ChannelQueueStore, 'enqueueOnce' | 'firstRecorded'>;
  /** New outbox messages: deliver them now (the dispatcher also polls). */
  kick?: () => void;
  now?: () => number;
}

export class AnswerNotices implements NoticePromises {
  readonly route: NoticePromises['route'];
  readonly promise: NoticePromises['promise'];
  private readonly now: () => number;

  constructor(private readonly deps: AnswerNoticesDeps) {
    const promises = noticePromises(deps.policy, deps.enabled);
    this.route = promises.route;
    this.promise = promises.promise;
    this.now = deps.now ?? (() => Date.now());
  }

  /**
   * The answer to `q` was published: queues the notice on the contact the citizen gave, once.
   * Returns the channel it was queued on, or undefined (nothing to send, no channel for the
   * contact, or already queued).
   */
  async answerPublished(q: string): Promise<NotificationChannel | undefined> {
    const events = await this.deps.store.questionEvents(q);
    const submitted = events.find((e) => e.type === 'submitted');
    const answered = [...events].reverse().find((e) => e.type === 'answered');
    if (!submitted || !answered) return undefined;
    const asked = JSON.parse(submitted.body) as { channel?: unknown; asker?: { name?: unknown; contact?: unknown } };
    const answer = JSON.parse(answered.body) as { agency?: unknown; text?: unknown };
    const contact = typeof asked.asker?.contact === 'string' ? asked.asker.contact : undefined;
    const route = this.route(typeof asked.channel === 'string' ? asked.channel : undefined, contact);
    if (route.kind !== 'email' && route.kind !== 'mobile') return undefined;
    if (!route.channel) {
      logger.info('answer published; no notification channel configured for the contact the citizen gave', { q, contactKind: route.kind });
      return undefined;
    }
    const agencyCode = String(answer.agency ?? '');
    const name = typeof asked.asker?.name === 'string' && asked.asker.name.trim() !== '' ? asked.asker.name.trim() : 'Ông/Bà';
    const vars: NoticeVars = {
      ticket: q,
      name,
      agency: this.deps.data.agencies.get(agencyCode)?.name ?? agencyCode,
      answeredOn: this.deps.data.clock.formatDateVi(answered.at),
      answer: String(answer.text ?? ''),
      ...linkVars(this.deps.policy.siteUrl, q),
    };
    const message = this.message(route.channel, route.kind === 'email' ? (contact as string).trim().toLowerCase() : nationalPhone(contact as string), vars, answerNoticeKey(q));
    const queued = await this.deps.queue.enqueueOnce(answerNoticeKey(q), [message], this.now());
    if (!queued) return undefined;
    logger.info('answer notice queued', { q, channel: route.channel });
    this.deps.kick?.();
    return route.channel;
  }

  /**
   * At start: answers published since `since` (and since notices were first enabled on this
   * database) whose notice was never queued, because the process stopped between publishing
   * and queueing. Returns how many were queued now.
   */
  async catchUp(unnoticed: (since: number) => Promise<string[]> | string[], since: number): Promise<number> {
    const enabledSince = await this.deps.queue.firstRecorded(NOTICES_SINCE_KEY, this.now());
    let queued = 0;
    for (const q of await unnoticed(Math.max(since, enabledSince))) if (await this.answerPublished(q)) queued += 1;
    if (queued > 0) logger.warn('answer notices queued after a restart', { queued });
    return queued;
  }

  private message(channel: NotificationChannel, recipient: string, vars: NoticeVars, key: string): NewOutboundMessage {
    const { policy } = this.deps;
    const base = { channel, recipient, source: vars.ticket };
    if (channel === 'email') return { ...base, payload: { subject: render(policy.email.subject, vars), text: render(policy.email.text, vars), requestId: key } };
    if (channel === 'sms') return { ...base, payload: { text: smsText(policy, vars), requestId: key } };
    const data = Object.fromEntries(
      Object.entries(policy.zns.params).map(([param, value]) => {
        const text = render(value, vars);
        return [param, [...text].length > policy.zns.paramMaxLength ? `${[...text].slice(0, policy.zns.paramMaxLength - 1).join('')}…` : text];
      }),
    );
    // A number without Zalo gets the SMS instead, when SMS is configured and comes after ZNS in phoneChannels.
    const smsAfter = this.deps.enabled.has('sms') && policy.phoneChannels.indexOf('sms') > policy.phoneChannels.indexOf('zns');
    return {
      ...base,
      payload: {
        text: `ZNS ${policy.zns.templateId}: ${Object.values(data).join(' | ')}`,
        template: { id: policy.zns.templateId as string, data },
        requestId: key,
        ...(smsAfter ? { fallback: { channel: 'sms' as const, text: smsText(policy, vars) } } : {}),
      },
    };
  }
}
