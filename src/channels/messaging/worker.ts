import os from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import { createBot } from '../../bot/factory';
import { loadProvinceData } from '../../config/data';
import { logger } from '../../observability/logger';
import { SqliteBotStorage } from '../../store/sqlite-bot-storage';
import { SqliteLedgerStore } from '../../store/sqlite';
import { SqliteChannelQueueStore } from '../../store/sqlite-channels';
import { createMessaging, type WorkerCommand, type WorkerEvent, type WorkerSetup } from './index';
import { TurnBufferedStorage } from './turn-storage';
import { PortalAdapter, SqliteDirectLineStore } from '../portal';
import { AnswerNotices } from '../../notify/notices';
import { loadNoticePolicy } from '../../notify/policy';
import { enabledChannels } from '../../notify/senders';

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
  const store = new SqliteLedgerStore(setup.dbLocation);
  const storage = new TurnBufferedStorage(new SqliteBotStorage(store.db));
  const queue = new SqliteChannelQueueStore(store.db);
  // Officers who publish an answer from Zalo or Messenger act here: the citizen's notice is queued here too.
  let kickNotices: () => void = () => undefined;
  const noticePolicy = loadNoticePolicy(data.dataDir, data.agencies.all.map((a) => a.name));
  const notices = new AnswerNotices({ policy: noticePolicy, enabled: enabledChannels(setup.notify), data, store, queue, kick: () => kickNotices() });
  const { bot, staff } = await createBot({ data, store, storage, notices });
  const messaging = createMessaging({
    config: { ...setup.config, off: [] },
    ...(setup.notify ? { notify: { ...setup.notify, off: [] } } : {}),
    queue,
    storage,
    bot,
    processor: { ...setup.processor, onTurn: (event, outcome) => {
      if (outcome === 'done') {
        send({ type: 'turn', channel: event.channel });
        messaging.kickOutbound();
      }
    } },
    dispatcher: { ...setup.dispatcher, onOutcome: (m, outcome) => send({ type: 'outbound', channel: m.channel, outcome }) },
  });
  kickNotices = () => messaging.kickOutbound();
  // Officers on Zalo and Messenger act here: their notifications and the answers they publish
  // go out through this thread's adapters (the portal's is only an append to the same file).
  for (const [channel, adapter] of Object.entries(messaging.adapters)) if (adapter) staff?.chat?.attach(channel, adapter);
  staff?.chat?.attach('directline', new PortalAdapter({ store: new SqliteDirectLineStore(store.db) }));
  port.on('message', (command: WorkerCommand) => {
    if (command.type === 'kick-inbound') messaging.processor?.kick();
    else if (command.type === 'kick-outbound') messaging.kickOutbound();
    else if (command.type === 'stop')
      void messaging
        .stop()
        .then(() => store.close())
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
