import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadDeliveryPolicy } from '../../../src/channels/messaging/delivery-policy';
import { DataError, loadProvinceData } from '../../../src/config/data';
import { PROJECT_ROOT } from '../../../src/config/paths';
import { startServer } from '../../../src/http/server';
import { SqliteLedgerStore } from '../../../src/store/sqlite';
import { SqliteChannelQueueStore } from '../../../src/store/sqlite-channels';
import { startGraphFake } from '../../fakes/graph-fake';
import { startZaloFake } from '../../fakes/zalo-fake';
import { channelsConfig, eventually, postZalo, zaloText } from '../../helpers/channels';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hoidap-delivery-'));
  fs.cpSync(path.join(PROJECT_ROOT, 'data'), path.join(dir, 'data'), { recursive: true });
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

const writePolicy = (policy: unknown) => fs.writeFileSync(path.join(dir, 'data', 'delivery.json'), JSON.stringify(policy));

test('the shipped policy retries for about half an hour within Zalo’s rate limit', () => {
  const policy = loadDeliveryPolicy(path.join(PROJECT_ROOT, 'data'));
  expect(policy).toEqual({ maxAttempts: 12, firstRetrySeconds: 2, maxRetrySeconds: 600, sendsPerSecond: { zalo: 60, facebook: 40, email: 5, sms: 1, zns: 10 } });
});

test('a policy that breaks a limit is refused with the reason', () => {
  writePolicy({ maxAttempts: 12, firstRetrySeconds: 2, maxRetrySeconds: 600, sendsPerSecond: { zalo: 100, facebook: 40 } });
  expect(() => loadDeliveryPolicy(path.join(dir, 'data'))).toThrow(DataError);
  expect(() => loadDeliveryPolicy(path.join(dir, 'data'))).toThrow(/sendsPerSecond\.zalo: must be at most 66: Zalo allows an app 4,000 calls a minute/);
  writePolicy({ maxAttempts: 12, firstRetrySeconds: 20, maxRetrySeconds: 10, sendsPerSecond: { zalo: 60, facebook: 40, email: 5, sms: 1, zns: 10 } });
  expect(() => loadDeliveryPolicy(path.join(dir, 'data'))).toThrow(/maxRetrySeconds: must not be less than firstRetrySeconds/);
});

test('the server retries as data/delivery.json says: 2 attempts, then the dead letters', async () => {
  writePolicy({ maxAttempts: 2, firstRetrySeconds: 0.1, maxRetrySeconds: 1, sendsPerSecond: { zalo: 60, facebook: 40, email: 5, sms: 1, zns: 10 } });
  const [zalo, graph] = [await startZaloFake(), await startGraphFake()];
  const dbFile = path.join(dir, 'hoidap.sqlite');
  const server = await startServer({ data: loadProvinceData(path.join(dir, 'data')), port: 0, host: '127.0.0.1', dbLocation: dbFile, channels: channelsConfig(zalo, graph), messaging: { processor: { pollMs: 20 } } });
  const store = new SqliteLedgerStore(dbFile);
  try {
    zalo.failNext(5, 'http500');
    await postZalo(`http://127.0.0.1:${server.port}`, zalo.appId, zaloText(zalo.appId, '614249482399', 'menu'));
    const queue = new SqliteChannelQueueStore(store.db);
    await eventually(async () => (await queue.outboundByStatus()).dead === 1, 'the message dead after its attempts');
    expect(zalo.messageRequests()).toHaveLength(2);
  } finally {
    await store.close();
    await server.close();
    await zalo.close();
    await graph.close();
  }
});
