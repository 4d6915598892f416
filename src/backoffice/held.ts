import type { ConversationReference } from 'botbuilder';
import type { ProvinceData } from '../config/data';
import type { CaseState, QuestionState } from '../domain/lifecycle';
import { fileQuestion as fileQuestionUseCase } from '../app/questions/file-question';
import type { Ledger } from '../ledger/ledger';
import { logger } from '../observability/logger';
import type { HeldQuestion, HoldReason, QuestionIntake } from '../app/ports';
import { contactKey, identityKey } from './intake-keys';
import type { LedgerStore } from '../store/types';
import { WorkflowError } from './actions';
import type { QuestionFiling } from './types';

export type { QuestionFiling } from './types';


export interface FilingDeps {
  data: ProvinceData;
  ledger: Ledger;
  store: LedgerStore;
}

/** Records a question in the ledger (the file-a-question use case, src/app/questions/file-question.ts) at `now`; returns its ticket and state. */
export async function fileQuestion(deps: FilingDeps, filing: QuestionFiling, now: number): Promise<{ q: string; state: QuestionState; current: CaseState; created: boolean }> {
  return fileQuestionUseCase({ facts: deps.data, ledger: deps.store, writer: deps.ledger }, filing, now);
}

/** Channels whose sender the server verified and that reach the citizen in their own chat (not at a typed contact). */
const CHANNEL_IDENTIFIED: ReadonlySet<string> = new Set(['zalo', 'facebook']);

export interface HeldQuestionsDeps extends FilingDeps {
  intake: QuestionIntake;
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
  async admitOrHold(filing: QuestionFiling & { reference?: unknown }, sender: { channel: string; userId: string; address?: string }, now: number): Promise<{ admitted: true } | { admitted: false; id: number; reason: HoldReason }> {
    const { data, intake } = this.deps;
    const offset = data.policy.utcOffsetMinutes * 60_000;
    const dayStart = now - ((((now + offset) % 86_400_000) + 86_400_000) % 86_400_000);
    const limits = data.policy.questionsPerDay;
    // A Zalo or Messenger citizen is identified by the channel (signed webhooks) and told in that chat, never at the typed contact:
    // anyone may type their phone number elsewhere, so that contact's count must neither hold them nor be spent by them.
    const contact = CHANNEL_IDENTIFIED.has(sender.channel) ? undefined : contactKey(filing.asker.contact);
    const decision = await intake.admit(identityKey(sender.channel, sender.userId), contact, sender.address, dayStart, now, limits);
    if (decision.ok) return { admitted: true };
    const id = await intake.hold(filing, decision.reason, now);
    // No contact or text at info level: the held id and the limit say enough.
    logger.warn('question held for the editors: over a daily limit', { held: id, limit: decision.reason, channel: filing.channel });
    return { admitted: false, id, reason: decision.reason };
  }

  async waiting(limit?: number): Promise<HeldQuestion[]> {
    return this.deps.intake.waiting(limit);
  }

  /** Files a held question in the ledger, as from the citizen, at `now`. */
  async release(id: number, by: string, now: number): Promise<{ q: string; agency: string }> {
    const { intake } = this.deps;
    const item = await intake.get(id);
    if (!item) throw new WorkflowError('not_found', `no held question ${id}`);
    if (!(await intake.decide(id, { status: 'released', by }, now))) throw new WorkflowError('invalid_state', `held question ${id} is already ${(await intake.get(id))?.status ?? 'decided'}`);
    const { reference, ...filing } = item.body;
    let q: string;
    let state: QuestionState;
    try {
      ({ q, state } = await fileQuestion(this.deps, filing, now));
    } catch (err) {
      // Not filed: back to the queue.
      await intake.reopen(id);
      throw err;
    }
    await intake.setTicket(id, q);
    logger.warn('held question released into the ledger', { held: id, q, by });
    if (reference) await this.deps.rememberConversation?.(q, reference as Partial<ConversationReference>);
    await this.deps.onAssigned?.(q, filing.agency, state).catch((err: unknown) => logger.warn('could not notify the agency', { q, error: err instanceof Error ? err.message : String(err) }));
    return { q, agency: filing.agency };
  }

  /** Discards a held question: it never enters the ledger. */
  async discard(id: number, by: string, now: number): Promise<void> {
    const { intake } = this.deps;
    if (!(await intake.get(id))) throw new WorkflowError('not_found', `no held question ${id}`);
    if (!(await intake.decide(id, { status: 'discarded', by }, now))) throw new WorkflowError('invalid_state', `held question ${id} is already ${(await intake.get(id))?.status ?? 'decided'}`);
    logger.warn('held question discarded', { held: id, by });
  }
}
