import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { WorkerSupervisor } from '../../../src/channels/messaging/supervisor';
import { eventually } from '../../helpers/channels';

/**
 * A stand-in for the messaging worker, in plain JavaScript: ready at once; on
 * 'kick-inbound' it throws (an uncaught error kills the thread); on 'kick-outbound'
 * it reports a turn; on 'stop' it exits. With workerData.failFirst it dies before
 * being ready, that many times (counted in a file).
 */
const SCRIPT = `
const { parentPort, workerData } = require('node:worker_threads');
const fs = require('node:fs');
const starts = Number(fs.readFileSync(workerData.counter, 'utf8')) + 1;
fs.writeFileSync(workerData.counter, String(starts));
if (starts <= (workerData.failFirst || 0)) process.exit(3);
parentPort.on('message', (m) => {
  if (m.type === 'kick-inbound') setImmediate(() => { throw new Error('a turn went badly wrong'); });
  if (m.type === 'kick-outbound') parentPort.postMessage({ type: 'turn', channel: 'zalo' });
  if (m.type === 'stop') process.exit(0);
});
parentPort.postMessage({ type: 'ready' });
`;

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hoidap-supervisor-'));
  fs.writeFileSync(path.join(dir, 'worker.js'), SCRIPT);
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

function rig(failFirst = 0) {
  const counter = path.join(dir, `starts-${failFirst}`);
  fs.writeFileSync(counter, '0');
  const events: string[] = [];
  let recoveries = 0;
  let restarts = 0;
  const supervisor = new WorkerSupervisor({
    create: () => new Worker(path.join(dir, 'worker.js'), { workerData: { counter, failFirst } }),
    onMessage: (m) => events.push(m.type),
    beforeRestart: async () => void (recoveries += 1),
    onRestart: () => void (restarts += 1),
    minDelayMs: 10,
    maxDelayMs: 40,
  });
  return { supervisor, events, starts: () => Number(fs.readFileSync(counter, 'utf8')), recoveries: () => recoveries, restarts: () => restarts };
}

test('a worker that dies is recovered after and started again; it works as before', async () => {
  const r = rig();
  await r.supervisor.start();
  r.supervisor.post({ type: 'kick-inbound' }); // the worker dies
  await eventually(() => r.restarts() === 1, 'the worker restarted');
  expect(r.starts()).toBe(2);
  expect(r.recoveries()).toBe(1);
  r.supervisor.post({ type: 'kick-outbound' });
  await eventually(() => r.events.includes('turn'), 'the new worker at work');
  await r.supervisor.stop();
});

test('a restart that fails is tried again until one works; a clean stop is not restarted', async () => {
  const r = rig(0);
  await r.supervisor.start();
  // The next two starts die before they are ready.
  fs.writeFileSync(path.join(dir, 'worker.js'), SCRIPT.replace("if (starts <= (workerData.failFirst || 0))", 'if (starts === 2 || starts === 3)'));
  r.supervisor.post({ type: 'kick-inbound' });
  await eventually(() => r.restarts() === 1, 'the worker back after two failed restarts', 400);
  expect(r.starts()).toBe(4);
  expect(r.recoveries()).toBe(3);
  await r.supervisor.stop();
  await new Promise((resolve) => setTimeout(resolve, 100));
  expect(r.starts()).toBe(4);
});

test('a first start that fails is an error for the caller, not a retry loop', async () => {
  const r = rig(1);
  await expect(r.supervisor.start()).rejects.toThrow('the messaging worker exited (code 3) before it was ready');
  await new Promise((resolve) => setTimeout(resolve, 100));
  expect(r.starts()).toBe(1);
});
