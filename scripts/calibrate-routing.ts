/**
 * Chooses the classifier's smoothing and softmax temperature by 5-fold
 * cross-validation on the TRAINING examples only (intents/agencies/), never on the
 * development set. Prints accuracy and negative log-likelihood per setting.
 * Run: npx ts-node --transpile-only scripts/calibrate-routing.ts
 */
import { loadProvinceData } from '../src/config/data';
import { SyllableBayes } from '../src/routing/classifier';
import { loadRoutingResources } from '../src/routing/load';
import { features } from '../src/routing/normalize';

const data = loadProvinceData();
const resources = loadRoutingResources(data);
const examples = resources.training.map((t, i) => ({ tokens: features(resources.normalizer.tokens(t.text)), label: t.agency, fold: i % 5 }));

for (const alpha of [0.1, 0.25, 0.5, 1]) {
  const heldOut: Array<{ scores: Array<{ label: string; log: number }>; label: string }> = [];
  for (let fold = 0; fold < 5; fold += 1) {
    const model = new SyllableBayes(1, alpha);
    model.train(examples.filter((e) => e.fold !== fold));
    for (const e of examples.filter((x) => x.fold === fold)) heldOut.push({ scores: model.logScores(e.tokens), label: e.label });
  }
  const accuracy = heldOut.filter((h) => h.scores.reduce((a, b) => (b.log > a.log ? b : a)).label === h.label).length / heldOut.length;
  let best = { t: 1, nll: Infinity };
  for (let t = 1; t <= 60; t += 0.5) {
    let nll = 0;
    for (const h of heldOut) {
      const max = Math.max(...h.scores.map((s) => s.log));
      const z = h.scores.reduce((n, s) => n + Math.exp((s.log - max) / t), 0);
      const own = h.scores.find((s) => s.label === h.label) as { log: number };
      nll -= (own.log - max) / t - Math.log(z);
    }
    nll /= heldOut.length;
    if (nll < best.nll) best = { t, nll };
  }
  console.log(`alpha ${alpha}: cross-validated accuracy ${(accuracy * 100).toFixed(1)}%, best temperature ${best.t} (NLL ${best.nll.toFixed(3)})`);
}
