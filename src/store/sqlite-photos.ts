import type Database from 'better-sqlite3';
import type { NewPhoto, PhotoInfo, PhotoStore } from '../app/ports';

/** Photos sent with questions in the SQLite file (see PhotoStore); table question_photos, a migration of src/store/sqlite.ts. */

interface PhotoRow {
  n: number;
  type: string;
  size: number;
  channel: string;
  received_ms: number;
}

export const PHOTO_COLUMNS = 'id, owner, q, n, type, size, channel, received_ms, bytes';

export function photoInfo(r: PhotoRow): PhotoInfo {
  return { n: Number(r.n), type: r.type, size: Number(r.size), channel: r.channel, receivedAt: Number(r.received_ms) };
}

export class SqlitePhotos implements PhotoStore {
  constructor(private readonly db: Database.Database) {}

  async savePending(photo: NewPhoto, keep?: number): Promise<void> {
    this.db
      .transaction(() => {
        this.db
          .prepare(`INSERT INTO question_photos (id, owner, type, size, channel, received_ms, bytes) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`)
          .run(photo.id, photo.owner, photo.type, photo.bytes.length, photo.channel, photo.receivedAt, Buffer.from(photo.bytes.buffer, photo.bytes.byteOffset, photo.bytes.byteLength));
        if (keep === undefined) return;
        this.db
          .prepare(
            `DELETE FROM question_photos WHERE owner = ? AND q IS NULL AND id NOT IN (
               SELECT id FROM question_photos WHERE owner = ? AND q IS NULL ORDER BY received_ms DESC, rowid DESC LIMIT ?)`,
          )
          .run(photo.owner, photo.owner, Math.max(0, keep));
      })
      .immediate();
  }

  async attach(q: string, owner: string, ids: readonly string[]): Promise<number> {
    return this.db
      .transaction(() => {
        const next = this.db.prepare<[string], { n: number | null }>(`SELECT max(n) AS n FROM question_photos WHERE q = ?`);
        const file = this.db.prepare(`UPDATE question_photos SET q = ?, n = ? WHERE id = ? AND owner = ? AND q IS NULL`);
        let n = next.get(q)?.n ?? 0;
        for (const id of ids) if (file.run(q, n + 1, id, owner).changes > 0) n += 1;
        return n;
      })
      .immediate();
  }

  async list(q: string): Promise<PhotoInfo[]> {
    return this.db.prepare<[string], PhotoRow>(`SELECT n, type, size, channel, received_ms FROM question_photos WHERE q = ? ORDER BY n`).all(q).map(photoInfo);
  }

  async get(q: string, n: number): Promise<(PhotoInfo & { bytes: Buffer }) | undefined> {
    const row = this.db.prepare<[string, number], PhotoRow & { bytes: Buffer }>(`SELECT n, type, size, channel, received_ms, bytes FROM question_photos WHERE q = ? AND n = ?`).get(q, n);
    return row ? { ...photoInfo(row), bytes: row.bytes } : undefined;
  }

  async purge(pendingCutoff: number, filedCutoff: number, limit: number): Promise<number> {
    return this.db
      .transaction(() => {
        const pending = this.db
          .prepare(`DELETE FROM question_photos WHERE id IN (SELECT id FROM question_photos WHERE q IS NULL AND received_ms < ? ORDER BY received_ms LIMIT ?)`)
          .run(pendingCutoff, limit).changes;
        const filed = this.db
          .prepare(
            `DELETE FROM question_photos WHERE id IN (
               SELECT p.id FROM question_photos p JOIN questions x ON x.q = p.q
               WHERE x.status IN ('answered', 'deleted') AND x.last_event_ms < ? LIMIT ?)`,
          )
          .run(filedCutoff, Math.max(0, limit - pending)).changes;
        return pending + filed;
      })
      .immediate();
  }
}
