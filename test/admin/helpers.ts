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
