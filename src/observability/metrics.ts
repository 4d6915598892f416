import type { QueueDepths } from '../app/ports';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * Channel ids are a closed set. An activity names its own `channelId`, and on the Bot
 * Framework endpoint that is whatever the caller wrote: anything outside this list is
 * `other` in metrics, and nothing a caller writes ever names a staff identity.
 */
export const KNOWN_CHANNELS = ['directline', 'zalo', 'facebook', 'emulator', 'webchat', 'msteams', 'test'] as const;
export type KnownChannel = (typeof KNOWN_CHANNELS)[number];
export type ChannelLabel = KnownChannel | 'other';

/** The label a channel id gets in metrics and logs: one of KNOWN_CHANNELS, or `other`. */
export function channelLabel(channelId: string | undefined): ChannelLabel {
  return (KNOWN_CHANNELS as readonly string[]).includes(channelId ?? '') ? (channelId as KnownChannel) : 'other';
}

/** Prometheus metrics, one registry per server (tests start several). Channel labels go through channelLabel. */
export class Metrics {
  readonly registry = new Registry();
  readonly turns = new Counter({ name: 'hoidap_bot_turns_total', help: 'Bot turns by channel', labelNames: ['channel'], registers: [this.registry] });
  readonly errors = new Counter({ name: 'hoidap_bot_errors_total', help: 'Bot turns that failed, by channel', labelNames: ['channel'], registers: [this.registry] });
  readonly dialogsCompleted = new Counter({
    name: 'hoidap_dialogs_completed_total',
    help: 'Citizen dialogs completed, by dialog and outcome',
    labelNames: ['dialog', 'outcome'],
    registers: [this.registry],
  });
  readonly questionsFiled = new Counter({ name: 'hoidap_questions_filed_total', help: 'Questions filed by citizens, by channel', labelNames: ['channel', 'triage'], registers: [this.registry] });
  readonly httpDuration = new Histogram({
    name: 'hoidap_http_request_duration_seconds',
    help: 'HTTP request duration',
    labelNames: ['method', 'route', 'status'],
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });
  readonly webhookEvents = new Counter({ name: 'hoidap_webhook_events_total', help: 'Webhook events by channel and result', labelNames: ['channel', 'result'], registers: [this.registry] });
  readonly workerRestarts = new Counter({ name: 'hoidap_messaging_worker_restarts_total', help: 'Times the messaging worker thread died and was started again', registers: [this.registry] });
  readonly outbound = new Counter({ name: 'hoidap_outbound_messages_total', help: 'Outbound messages by channel and outcome', labelNames: ['channel', 'outcome'], registers: [this.registry] });

  constructor(defaults = true) {
    if (defaults) collectDefaultMetrics({ register: this.registry, prefix: 'hoidap_' });
  }

  /**
   * Gauges read from the store at each scrape: the webhook events the bot has not handled
   * yet (a growing number means turns fall behind) and the messages waiting for an admin's
   * decision (alert on them: nobody else will look).
   */
  watchQueues(queues: QueueDepths): void {
    new Gauge({
      name: 'hoidap_inbox_pending_events',
      help: 'Zalo/Messenger webhook events stored and not yet handled by the bot',
      registers: [this.registry],
      async collect() {
        this.set(await queues.inboxPending());
      },
    });
    new Gauge({
      name: 'hoidap_inbox_failed_events',
      help: 'Zalo/Messenger webhook events the bot could not handle after its attempts (the person got no reply)',
      registers: [this.registry],
      async collect() {
        this.set(await queues.inboxFailed());
      },
    });
    new Gauge({
      name: 'hoidap_outbox_undelivered_messages',
      help: 'Zalo/Messenger messages not delivered, waiting for an admin (GET /api/v1/outbox/undelivered), by status',
      labelNames: ['status'],
      registers: [this.registry],
      async collect() {
        for (const [status, n] of Object.entries(await queues.undeliveredByStatus())) this.set({ status }, n);
      },
    });
  }
}

export type { QueueDepths } from '../app/ports';
