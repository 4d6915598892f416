import fs from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT } from '../../src/config/paths';
import { evaluateRouter } from '../../src/routing/evaluate';
import { buildRouter, loadRoutingResources } from '../../src/routing/load';
import { day, province } from '../helpers/province';

/**
 * The routing targets, on the held-out development set (never used for training):
 * top-1 at least 90%, top-3 at least 97%, unaccented top-1 within 3 points, and
 * fewer than 5% routed with confidence to a wrong agency.
 */
test('the router meets its targets on the development set', () => {
  const data = province();
  const set = fs
    .readFileSync(path.join(PROJECT_ROOT, 'test/fixtures/routing-dev.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { text: string; agency: string });
  expect(set.length).toBeGreaterThanOrEqual(450);
  // Labelled with the 2023 organisation: routed on a day of 2023.
  const e = evaluateRouter(buildRouter(data, loadRoutingResources(data)), set, { day: day('2023-09-01'), directory: data.agencies });
  expect(e.top1).toBeGreaterThanOrEqual(0.9);
  expect(e.top3).toBeGreaterThanOrEqual(0.97);
  expect(e.top1 - e.unaccentedTop1).toBeLessThanOrEqual(0.03);
  expect(e.wrongAgencyRate).toBeLessThan(0.05);
  // Unsure questions go to the editors, but most are routed directly.
  expect(e.triageRate).toBeLessThan(0.15);
});

test('no training example is a development-set question', () => {
  const { training, normalizer } = loadRoutingResources(province());
  const trained = new Set(training.map((t) => normalizer.fold(t.text)));
  const dev = fs.readFileSync(path.join(PROJECT_ROOT, 'test/fixtures/routing-dev.jsonl'), 'utf8').trim().split('\n');
  expect(dev.map((l) => JSON.parse(l).text as string).filter((t) => trained.has(normalizer.fold(t)))).toEqual([]);
});
