import { questionText } from '../domain/question-text';
import type { LedgerStore } from '../store/types';

/** The text a citizen submitted for question `q`, as recorded in the ledger ('' when there is none). */
export async function submittedText(store: Pick<LedgerStore, 'questionEvents'>, q: string): Promise<string> {
  return questionText(await store.questionEvents(q));
}
