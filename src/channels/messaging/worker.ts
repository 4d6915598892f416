import os from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import { composeService, loadPolicies, openRoot } from '../../composition-root';
import { loadProvinceData } from '../../config/data';
import { logger } from '../../observability/logger';
import type { WorkerCommand, WorkerEvent, WorkerSetup } from './index';

/** The messaging worker thread: Zalo and Messenger turns and deliveries, on its own connection to the SQLite file. */
async function run(): Promise<void> {
  // On Linux a nice value set with pid 0 applies to the calling thread only: turns yield the CPU to the
  // main thread, so webhooks are acknowledged fast even when the bot is behind (the inbox holds the backlog).
  try {
    os.setPriority(0, 10);
  } catch {
    // Not permitted or not supported: turns and webhooks then share the CPU evenly.
  }
  const setup = workerData as WorkerSetup;
  const port = parentPort;
  if (!port) throw new Error('messaging worker started outside a worker thread');
  const send = (event: WorkerEvent) => port.postMessage(event);
  const data = loadProvinceData(setup.dataDir);
  const policies = loadPolicies(data);
  const root = await openRoot(data, setup.dbLocation);
  // Officers on Zalo and Messenger act here: their notifications, the answers they publish and the
  // citizens' notices go out through this thread's adapters (the portal's is only an append to the same store).
  const { messaging } = await composeService(root, {
    role: 'worker',
    // The main thread has said which channels are off.
    channels: { ...setup.config, off: [] },
    ...(setup.notify ? { notify: { ...setup.notify, off: [] } } : {}),
    policies,
    messaging: {
      processor: {
        ...setup.processor,
        onTurn: (event, outcome) => {
          if (outcome === 'done') {
            send({ type: 'turn', channel: event.channel });
            messaging.kickOutbound();
          }
        },
      },
      dispatcher: { ...setup.dispatcher, onOutcome: (m, outcome) => send({ type: 'outbound', channel: m.channel, outcome }) },
    },
  });
  port.on('message', (command: WorkerCommand) => {
    if (command.type === 'kick-inbound') messaging.processor?.kick();
    else if (command.type === 'kick-outbound') messaging.kickOutbound();
    else if (command.type === 'stop')
      void messaging
        .stop()
        .then(() => root.close())
        .then(() => process.exit(0));
  });
  // Recovery after a restart is the main thread's job, done before this worker starts.
  messaging.processor?.start();
  messaging.dispatcher?.start();
  send({ type: 'ready' });
}

run().catch((err) => {
  logger.error('messaging worker could not start', { error: err instanceof Error ? err.stack : String(err) });
  process.exit(1);
});
