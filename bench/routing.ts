/**
 * Router speed: training time at start-up, and classification latency p50/p99
 * over 10,000 questions, next to a plain keyword lookup measured in the same run.
 * Targets: p99 under 2 ms, training under 3 s. Run: npm run bench:routing
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadProvinceData } from '../src/config/data';
import { PROJECT_ROOT } from '../src/config/paths';
import { buildRouter, loadRoutingResources } from '../src/routing/load';
import { stripDiacritics } from '../src/routing/evaluate';

const N = 10_000;
const data = loadProvinceData();

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

function timeEach(texts: string[], fn: (text: string) => unknown): number[] {
  const ms: number[] = [];
  for (const t of texts) {
    const start = process.hrtime.bigint();
    fn(t);
    ms.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  return ms.sort((a, b) => a - b);
}

const loadStart = process.hrtime.bigint();
const resources = loadRoutingResources(data);
const trainStart = process.hrtime.bigint();
const trainCpu = process.cpuUsage();
const router = buildRouter(data, resources);
const trainSeconds = Number(process.hrtime.bigint() - trainStart) / 1e9;
// CPU time as well as wall time: on a shared machine the wall time includes waiting for a core.
const trainCpuUsed = process.cpuUsage(trainCpu);
const trainCpuSeconds = (trainCpuUsed.user + trainCpuUsed.system) / 1e6;
const loadSeconds = Number(trainStart - loadStart) / 1e9;

// Questions: the held-out development sets (the chat-style one and writer w4's, whose long
// stories and petitions are the slowest to route) and the demo ledger's, with and without
// diacritics, cycled to N.
const pool: string[] = [];
for (const file of ['test/fixtures/routing-dev.jsonl', 'test/fixtures/routing-dev-w4.jsonl'])
  for (const line of fs.readFileSync(path.join(PROJECT_ROOT, file), 'utf8').trim().split('\n')) pool.push(JSON.parse(line).text);
for (const line of fs.readFileSync(path.join(PROJECT_ROOT, 'data/demo/ledger-2023.jsonl'), 'utf8').trim().split('\n')) {
  const e = JSON.parse(line);
  if (e.type === 'submitted') pool.push(e.text);
}
const texts = Array.from({ length: N }, (_, i) => (i % 2 ? stripDiacritics(pool[i % pool.length]) : pool[i % pool.length]));
const longest = Math.max(...pool.map((t) => t.length));

// Baseline: a keyword lookup (each agency's name words and local-topic phrases, folded), first hit wins.
const keywords: Array<[string, string]> = [];
for (const a of data.agencies.all) for (const n of [a.shortName, ...a.aliases]) keywords.push([` ${resources.normalizer.fold(n)} `, a.code]);
for (const [agency, phrases] of Object.entries(resources.rules.localTopics)) for (const p of phrases) keywords.push([` ${p} `, agency]);
const keywordLookup = (text: string) => {
  const folded = ` ${resources.normalizer.fold(text)} `;
  for (const [k, agency] of keywords) if (folded.includes(k)) return agency;
  return data.policy.routing.triageAgency;
};

/** CPU time of each call (µs resolution): unlike the wall time, it leaves out the waits for a core on a loaded machine. */
function cpuEach(texts: string[], fn: (text: string) => unknown): number[] {
  const ms: number[] = [];
  for (const t of texts) {
    const start = process.cpuUsage();
    fn(t);
    const used = process.cpuUsage(start);
    ms.push((used.user + used.system) / 1e3);
  }
  return ms.sort((a, b) => a - b);
}

for (const t of texts.slice(0, 500)) router.route(t); // warm-up
const baseline = timeEach(texts, keywordLookup);
const routed = timeEach(texts, (t) => router.route(t));
const routedCpu = cpuEach(texts, (t) => router.route(t));

const fmt = (x: number) => `${x.toFixed(3)} ms`;
console.log(`training data: ${resources.training.length} examples; vocabulary ${router.vocabularySize} features; questions up to ${longest} characters`);
console.log(`load data ${loadSeconds.toFixed(2)} s, train ${trainSeconds.toFixed(2)} s, CPU ${trainCpuSeconds.toFixed(2)} s (target < 3 s: ${trainSeconds < 3 ? 'met' : 'NOT met'}); load average ${os.loadavg()[0].toFixed(1)} on ${os.cpus().length} cores`);
console.log(`keyword lookup  p50 ${fmt(percentile(baseline, 50))}  p99 ${fmt(percentile(baseline, 99))}  (${N} questions)`);
console.log(`router          p50 ${fmt(percentile(routed, 50))}  p99 ${fmt(percentile(routed, 99))}  (target p99 < 2 ms: ${percentile(routed, 99) < 2 ? 'met' : 'NOT met'})`);
console.log(`router CPU time p50 ${fmt(percentile(routedCpu, 50))}  p99 ${fmt(percentile(routedCpu, 99))}`);
