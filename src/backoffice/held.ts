import type { ConversationReference } from 'botbuilder';
import type { ProvinceData } from '../config/data';
import type { QuestionState } from '../domain/lifecycle';
import type { Ledger } from '../ledger/ledger';
import { logger } from '../observability/logger';
import { contactKey, identityKey, type HeldQuestion, type HoldReason, type SqliteQuestionIntake } from '../store/sqlite-intake';
import type { LedgerStore } from '../store/types';
import { WorkflowError } from './actions';
import type { QuestionFiling } from './types';

export type { QuestionFiling } from './types';


export interface FilingDeps {
  data: ProvinceData;
  ledger: Ledger;
  store: LedgerStore;
}

/** Records a question in the ledger (submitted, then assigned by the bot) at `now`; returns its ticket and state. */
export async function fileQuestion(deps: FilingDeps, filing: QuestionFiling, now: number): Promise<{ q: string; state: QuestionState }> {
  const at = deps.data.clock.format(now);
  const q = await deps.store.allocateQuestionId(Number(at.slice(0, 4)));
  await deps.ledger.record({
    ...(filing.source ? { source: filing.source } : {}),
    q,
    type: 'submitted',
    at,
    by: 'citizen',
    channel: filing.channel,
    text: filing.text,
    asker: filing.asker,
    lang: filing.lang,
    ...(filing.flags?.length ? { flags: filing.flags } : {}),
  });
  const state = await deps.ledger.record({
    q,
    type: 'assigned',
    at,
    agency: filing.agency,
    by: 'bot',
    confidence: filing.confidence,
    ...(filing.triage ? { triage: true, suggested: filing.suggested } : {}),
  });
  return { q, state };
}

/** Channels whose sender the server verified and that reach the citizen in their own chat (not at a typed contact). */
const CHANNEL_IDENTIFIED: ReadonlySet<string> = new Set(['zalo', 'facebook']);

export interface HeldQuestionsDeps extends FilingDeps {
  intake: SqliteQuestionIntake;
  /** A question reached an agency: tell its officers. */
  onAssigned?(q: string, agency: string, state: QuestionState): Promise<void>;
  /** Keeps where to reach the citizen when the answer is published. */
  rememberConversation?(q: string, reference: Partial<ConversationReference>): Promise<void>;
}

/**
 * The daily limits on questions filed per identity and per contact (data/policy.json
 * questionsPerDay), and the held queue: a question over a limit is not entered in the
 * ledger (the official record, counted in Phụ biểu 02) but waits for an editor, who
 * releases it (filed then, as from the citizen) or discards it.
 */
export class HeldQuestions {
  constructor(private readonly deps: HeldQuestionsDeps) {}

  /** Counts the question if it fits today's limits; otherwise holds it and returns the held id. */
  admitOrHold(filing: QuestionFiling & { reference?: unknown }, sender: { channel: string; userId: string; address?: string }, now: number): { admitted: true } | { admitted: false; id: number; reason: HoldReason } {
    const { data, intake } = this.deps;
    const offset = data.policy.utcOffsetMinutes * 60_000;
    const dayStart = now - ((((now + offset) % 86_400_000) + 86_400_000) % 86_400_000);
    const limits = data.policy.questionsPerDay;
    // A Zalo or Messenger citizen is identified by the channel (signed webhooks) and told in that chat, never at the typed contact:
    // anyone may type their phone number elsewhere, so that contact's count must neither hold them nor be spent by them.
    const contact = CHANNEL_IDENTIFIED.has(sender.channel) ? undefined : contactKey(filing.asker.contact);
    const decision = intake.admit(identityKey(sender.channel, sender.userId), contact, sender.address, dayStart, now, limits);
    if (decision.ok) return { admitted: true };
    const id = intake.hold(filing, decision.reason, now);
    // No contact or text at info level: the held id and the limit say enough.
    logger.warn('question held for the editors: over a daily limit', { held: id, limit: decision.reason, channel: filing.channel });
    return { admitted: false, id, reason: decision.reason };
  }

  waiting(limit?: number): HeldQuestion[] {
    return this.deps.intake.waiting(limit);
  }

  /** Files a held question in the ledger, as from the citizen, at `now`. */
  async release(id: number, by: string, now: number): Promise<{ q: string; agency: string }> {
    const { intake } = this.deps;
    const item = intake.get(id);
    if (!item) throw new WorkflowError('not_found', `no held question ${id}`);
    if (!intake.decide(id, { status: 'released', by }, now)) throw new WorkflowError('invalid_state', `held question ${id} is already ${intake.get(id)?.status ?? 'decided'}`);
    const { reference, ...filing } = item.body;
    let q: string;
    let state: QuestionState;
    try {
      ({ q, state } = await fileQuestion(this.deps, filing, now));
    } catch (err) {
      // Not filed: back to the queue.
      intake.reopen(id);
      throw err;
    }
    intake.setTicket(id, q);
    logger.warn('held question released into the ledger', { held: id, q, by });
    if (reference) await this.deps.rememberConversation?.(q, reference as Partial<ConversationReference>);
    await this.deps.onAssigned?.(q, filing.agency, state).catch((err: unknown) => logger.warn('could not notify the agency', { q, error: err instanceof Error ? err.message : String(err) }));
    return { q, agency: filing.agency };
  }

  /** Discards a held question: it never enters the ledger. */
  discard(id: number, by: string, now: number): void {
    const { intake } = this.deps;
    if (!intake.get(id)) throw new WorkflowError('not_found', `no held question ${id}`);
    if (!intake.decide(id, { status: 'discarded', by }, now)) throw new WorkflowError('invalid_state', `held question ${id} is already ${intake.get(id)?.status ?? 'decided'}`);
    logger.warn('held question discarded', { held: id, by });
  }
}
