import type { Pool } from 'pg';
import type { NewPhoto, PhotoInfo, PhotoStore } from '../app/ports';
import type { PostgresLedgerStore } from './postgres';
import { inTransaction, lockFor, nulSafePool } from './postgres-transaction';
import { photoInfo } from './sqlite-photos';

/** Photos sent with questions in PostgreSQL (bytea; the question-photos migration); see PhotoStore. */
export class PostgresPhotos implements PhotoStore {
  private readonly pool: Pool;

  constructor(private readonly ledger: PostgresLedgerStore) {
    this.pool = nulSafePool(ledger.pool);
  }

  async savePending(photo: NewPhoto, keep?: number): Promise<void> {
    const insert = [
      'INSERT INTO question_photos (id, owner, type, size, channel, received_ms, bytes) VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (id) DO NOTHING',
      [photo.id, photo.owner, photo.type, photo.bytes.length, photo.channel, photo.receivedAt, Buffer.from(photo.bytes.buffer, photo.bytes.byteOffset, photo.bytes.byteLength)],
    ] as const;
    if (keep === undefined) {
      await this.pool.query(insert[0], [...insert[1]]);
      return;
    }
    await inTransaction(this.pool, async (client) => {
      // Two instances storing one sender's photos at once keep the cap between them.
      await lockFor(client, this.ledger.schema, `photos-owner:${photo.owner}`);
      await client.query(insert[0], [...insert[1]]);
      await client.query(
        `DELETE FROM question_photos WHERE owner = $1 AND q IS NULL AND id NOT IN (
           SELECT id FROM question_photos WHERE owner = $1 AND q IS NULL ORDER BY received_ms DESC, id DESC LIMIT $2)`,
        [photo.owner, Math.max(0, keep)],
      );
    });
  }

  async attach(q: string, owner: string, ids: readonly string[]): Promise<number> {
    return inTransaction(this.pool, async (client) => {
      // Two instances filing photos with one question number them one after the other.
      await lockFor(client, this.ledger.schema, `photos:${q}`);
      let n = Number((await client.query<{ n: number | null }>('SELECT max(n) AS n FROM question_photos WHERE q = $1', [q])).rows[0]?.n ?? 0);
      for (const id of ids) {
        const done = await client.query('UPDATE question_photos SET q = $1, n = $2 WHERE id = $3 AND owner = $4 AND q IS NULL', [q, n + 1, id, owner]);
        if ((done.rowCount ?? 0) > 0) n += 1;
      }
      return n;
    });
  }

  async list(q: string): Promise<PhotoInfo[]> {
    const rows = (await this.pool.query('SELECT n, type, size, channel, received_ms FROM question_photos WHERE q = $1 ORDER BY n', [q])).rows;
    return rows.map(photoInfo);
  }

  async get(q: string, n: number): Promise<(PhotoInfo & { bytes: Buffer }) | undefined> {
    const row = (await this.pool.query('SELECT n, type, size, channel, received_ms, bytes FROM question_photos WHERE q = $1 AND n = $2', [q, n])).rows[0];
    return row ? { ...photoInfo(row), bytes: row.bytes as Buffer } : undefined;
  }

  async purge(pendingCutoff: number, filedCutoff: number, limit: number): Promise<number> {
    const pending =
      (
        await this.pool.query(
          'DELETE FROM question_photos WHERE id IN (SELECT id FROM question_photos WHERE q IS NULL AND received_ms < $1 ORDER BY received_ms LIMIT $2)',
          [pendingCutoff, limit],
        )
      ).rowCount ?? 0;
    const filed =
      (
        await this.pool.query(
          `DELETE FROM question_photos WHERE id IN (
             SELECT p.id FROM question_photos p JOIN questions x ON x.q = p.q
             WHERE x.status IN ('answered', 'deleted') AND x.last_event_ms < $1 LIMIT $2)`,
          [filedCutoff, Math.max(0, limit - pending)],
        )
      ).rowCount ?? 0;
    return pending + filed;
  }
}
