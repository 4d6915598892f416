import type { LedgerStore } from '../store/types';

/** The text a citizen submitted for question `q`, as recorded in the ledger ('' when there is none). */
export async function submittedText(store: Pick<LedgerStore, 'questionEvents'>, q: string): Promise<string> {
  const submitted = (await store.questionEvents(q)).find((e) => e.type === 'submitted');
  return String((submitted ? (JSON.parse(submitted.body) as { text?: unknown }).text : '') ?? '');
}
