import type { AdminDeps } from '../../src/admin/answers';
import { loadRoutingResources } from '../../src/routing/load';
import type { LedgerStore } from '../../src/store/types';
import { province } from '../helpers/province';

let resources: ReturnType<typeof loadRoutingResources> | undefined;

/** The admin queries' dependencies around a store, with the clock stopped at `at`. */
export function answerDeps(store: LedgerStore, at: number): AdminDeps {
  const data = province();
  resources ??= loadRoutingResources(data);
  return { data, store, normalizer: resources.normalizer, gazetteer: resources.gazetteer, now: () => at };
}

/** The first line of an admin reply when it says what was understood ("_Đang hiểu là: …_" or "_Tôi chưa hiểu '…'; đang hiểu là: …_"), else ''. */
export function understoodOf(text: string | undefined): string {
  const [first] = (text ?? '').split('\n');
  return /^_(Đang hiểu là:|Tôi chưa hiểu ')/.test(first) ? first : '';
}

/** An admin reply without that first line: the answer itself. */
export function bodyOf(text: string | undefined): string {
  const understood = understoodOf(text);
  return understood ? (text ?? '').slice(understood.length + 1) : (text ?? '');
}
