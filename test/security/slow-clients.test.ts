/**
 * Red-team pass 2: a client that sends its headers, then trickles a declared 100 kB body one byte
 * every few seconds, held its connection for Node's default 5 minutes (slow headers: 60 s), so a
 * few thousand such clients exhaust the server's sockets without a reverse proxy in front.
 * (Node checks these limits every 30 s, which is why this test reads the server's settings instead
 * of waiting a minute for the close.)
 */
import { SLOW_CLIENT_LIMITS } from '../../src/http/hardening';
import { province } from '../helpers/province';
import { startLocal } from './helpers';

test('the server started as `npm start` starts it takes at most 20 s for headers and 30 s for a whole request', async () => {
  const local = await startLocal({ data: province() });
  try {
    expect(local.server.server.headersTimeout).toBe(SLOW_CLIENT_LIMITS.headersTimeoutMs);
    expect(local.server.server.requestTimeout).toBe(SLOW_CLIENT_LIMITS.requestTimeoutMs);
    expect(SLOW_CLIENT_LIMITS).toEqual({ headersTimeoutMs: 20_000, requestTimeoutMs: 30_000 });
    // An ordinary request is unaffected.
    expect((await fetch(`${local.base}/healthz`)).status).toBe(200);
  } finally {
    await local.close();
  }
});
