/**
 * Red-team follow-up: with HOIDAP_SECRET_KEY set, the Zalo OA tokens stored before the key stayed in
 * clear in the database (and every backup taken meanwhile) until the next token refresh, up to
 * months. Now the server seals them when it starts, and the file no longer holds the old bytes.
 */
import fs from 'node:fs';
import { SecretBox } from '../../src/store/secret-box';
import { SqliteLedgerStore } from '../../src/store/sqlite';
import { SqliteChannelQueueStore } from '../../src/store/sqlite-channels';
import { province } from '../helpers/province';
import { startLocal, tempDb, withEnv } from './helpers';

const KEY = 'c0ffee'.repeat(10) + 'abcd';
const TOKENS = JSON.stringify({ accessToken: 'PLAIN-ACCESS-TOKEN-4f1d9a', refreshToken: 'PLAIN-REFRESH-TOKEN-77b2c3', expiresAt: 1 });

function rawValue(dbFile: string): string {
  const store = new SqliteLedgerStore(dbFile);
  try {
    return (store.db.prepare("SELECT value FROM channel_secrets WHERE name = 'zalo.tokens'").get() as { value: string }).value;
  } finally {
    void store.close();
  }
}

test('a server started with HOIDAP_SECRET_KEY seals the tokens stored in clear before it, at once; they still read the same', async () => {
  const dbFile = tempDb();
  const before = new SqliteLedgerStore(dbFile);
  await new SqliteChannelQueueStore(before.db, new SecretBox()).setSecret('zalo.tokens', TOKENS, 1);
  await before.close();
  expect(rawValue(dbFile)).toBe(TOKENS);

  await withEnv({ HOIDAP_SECRET_KEY: KEY }, async () => {
    const local = await startLocal({ data: province(), dbFile });
    try {
      // No Zalo traffic, no refresh: sealed by the start alone.
      expect(rawValue(dbFile)).toMatch(/^enc:v1:/);
    } finally {
      await local.close();
    }
    const after = new SqliteLedgerStore(dbFile);
    try {
      expect(await new SqliteChannelQueueStore(after.db).getSecret('zalo.tokens')).toBe(TOKENS);
    } finally {
      await after.close();
    }
  });
  // Not in the file's free pages or its journal either.
  for (const file of [dbFile, `${dbFile}-wal`].filter((f) => fs.existsSync(f))) {
    const bytes = fs.readFileSync(file);
    expect(bytes.includes('PLAIN-ACCESS-TOKEN-4f1d9a')).toBe(false);
    expect(bytes.includes('PLAIN-REFRESH-TOKEN-77b2c3')).toBe(false);
  }
});

test('sealing is done once: a second start changes nothing, a value sealed by another process is left as it is', async () => {
  const store = new SqliteLedgerStore(':memory:');
  try {
    await new SqliteChannelQueueStore(store.db, new SecretBox()).setSecret('zalo.tokens', TOKENS, 1);
    const box = new SecretBox(Buffer.from(KEY, 'hex'));
    const first = new SqliteChannelQueueStore(store.db, box);
    const sealed = (store.db.prepare('SELECT value FROM channel_secrets').get() as { value: string }).value;
    expect(first.sealStoredSecrets()).toBe(0);
    new SqliteChannelQueueStore(store.db, box);
    expect((store.db.prepare('SELECT value FROM channel_secrets').get() as { value: string }).value).toBe(sealed);
    expect(await first.getSecret('zalo.tokens')).toBe(TOKENS);
  } finally {
    await store.close();
  }
});

test('without a key, nothing is rewritten', async () => {
  const store = new SqliteLedgerStore(':memory:');
  try {
    await new SqliteChannelQueueStore(store.db, new SecretBox()).setSecret('zalo.tokens', TOKENS, 1);
    new SqliteChannelQueueStore(store.db, new SecretBox());
    expect((store.db.prepare('SELECT value FROM channel_secrets').get() as { value: string }).value).toBe(TOKENS);
  } finally {
    await store.close();
  }
});
