import type { Pool, PoolClient } from 'pg';
import { randomBytes } from 'node:crypto';
import type { Account, BackofficeStore, ChatIdentity, Draft, LinkAttempt, LinkOutcome, NotificationKeys, Role } from '../app/ports';
import { ROLES } from '../backoffice/types';
import type { PostgresLedgerStore } from './postgres';
import { inTransaction, lockFor, nulSafePool, pgText, UNIQUE_VIOLATION } from './postgres-transaction';
import {
  account,
  backoffWait,
  DEFAULT_LINK_CODE_TTL_MS,
  draft,
  formatLinkCode,
  newLinkCode,
  normalizeLinkCode,
  sameHash,
  secretHash,
  SELECTOR_LENGTH,
  type AccountRow,
  type FailureCount,
  type DraftRow,
} from './sqlite-backoffice';

interface CodeRow {
  secret_hash: string;
  account_id: string;
  expires_ms: number;
  used_ms: number | null;
  voided_ms: number | null;
  failures: number;
}

/**
 * The back office in PostgreSQL (tables of the back-office migration in postgres.ts), on the
 * ledger store's pool. Same semantics as SqliteBackofficeStore; where SQLite relies on its
 * single writer, link codes take a lock per schema so that two instances count failures and
 * spend codes one after the other.
 */
export class PostgresBackofficeStore implements BackofficeStore {
  private readonly pool: Pool;
  private readonly schema: string;
  private readonly keys: PostgresNotificationKeys;

  constructor(ledger: PostgresLedgerStore) {
    this.pool = nulSafePool(ledger.pool);
    this.schema = ledger.schema;
    this.keys = new PostgresNotificationKeys(ledger);
  }

  private async accountRow(id: string, client: Pool | PoolClient = this.pool): Promise<AccountRow | undefined> {
    return (await client.query<AccountRow>('SELECT * FROM accounts WHERE id = $1', [id])).rows[0];
  }

  private async requireAccount(id: string): Promise<void> {
    if (!(await this.accountRow(id))) throw new Error(`no account ${id}`);
  }

  async createAccount(input: { name: string; role: Role; agency?: string; email?: string }, now: number): Promise<Account> {
    // A NUL character cannot be stored (see pgText): the name is checked as it will be kept.
    const name = pgText(input.name).trim();
    if (name === '') throw new Error('an account needs a name');
    if (!ROLES.includes(input.role)) throw new Error(`unknown role "${String(input.role)}"; one of ${ROLES.join(', ')}`);
    const agencyBound = input.role === 'officer' || input.role === 'approver';
    if (agencyBound && !input.agency) throw new Error(`an ${input.role} account needs the agency it works for`);
    const agency = agencyBound ? (input.agency as string) : null;
    for (;;) {
      const id = `acc_${randomBytes(8).toString('hex')}`;
      try {
        const email = input.email === undefined ? null : pgText(input.email);
        await this.pool.query('INSERT INTO accounts (id, name, role, agency, active, created_ms, email) VALUES ($1, $2, $3, $4, 1, $5, $6)', [id, name, input.role, agency, now, email]);
        return account({ id, name, role: input.role, agency, active: 1, created_ms: now, email });
      } catch (err) {
        // 64 random bits collide essentially never; retry rather than fail if they do.
        if ((err as { code?: string }).code !== UNIQUE_VIOLATION) throw err;
      }
    }
  }

  async getAccount(id: string): Promise<Account | undefined> {
    const row = await this.accountRow(id);
    return row ? account(row) : undefined;
  }

  async listAccounts(filter: { agency?: string; role?: Role } = {}): Promise<Account[]> {
    const where: string[] = [];
    const params: string[] = [];
    if (filter.agency !== undefined) params.push(filter.agency), where.push(`agency = $${params.length}`);
    if (filter.role !== undefined) params.push(filter.role), where.push(`role = $${params.length}`);
    const sql = `SELECT * FROM accounts ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY created_ms, id COLLATE "C"`;
    return (await this.pool.query<AccountRow>(sql, params)).rows.map(account);
  }

  async setAccountEmail(id: string, email: string | undefined): Promise<void> {
    const changed = (await this.pool.query('UPDATE accounts SET email = $1 WHERE id = $2', [email === undefined ? null : pgText(email), id])).rowCount;
    if (changed === 0) throw new Error(`no account ${id}`);
  }

  async setAccountActive(id: string, active: boolean): Promise<void> {
    const changed = (await this.pool.query('UPDATE accounts SET active = $1 WHERE id = $2', [active ? 1 : 0, id])).rowCount;
    if (changed === 0) throw new Error(`no account ${id}`);
  }

  async issueApiToken(accountId: string, now: number): Promise<string> {
    await this.requireAccount(accountId);
    const token = randomBytes(32).toString('base64url');
    await this.pool.query('INSERT INTO api_tokens (token_hash, account_id, created_ms) VALUES ($1, $2, $3)', [secretHash(token), accountId, now]);
    return token;
  }

  async accountByApiToken(token: string): Promise<Account | undefined> {
    if (!token) return undefined;
    const row = (
      await this.pool.query<AccountRow>(
        `SELECT a.* FROM api_tokens t JOIN accounts a ON a.id = t.account_id
         WHERE t.token_hash = $1 AND t.revoked_ms IS NULL AND a.active = 1`,
        [secretHash(token)],
      )
    ).rows[0];
    return row ? account(row) : undefined;
  }

  async createLinkCode(accountId: string, now: number, ttlMs: number = DEFAULT_LINK_CODE_TTL_MS): Promise<string> {
    await this.requireAccount(accountId);
    return inTransaction(this.pool, async (client) => {
      await lockFor(client, this.schema, 'link-codes');
      // Spent, void and expired codes are kept a day (what happened to a code stays visible), then dropped.
      await client.query('DELETE FROM link_codes WHERE expires_ms < $1', [now - 86_400_000]);
      // One live code per account: a new one replaces any the person had not used yet.
      await client.query('DELETE FROM link_codes WHERE account_id = $1 AND used_ms IS NULL', [accountId]);
      for (;;) {
        const code = newLinkCode();
        const selector = code.slice(0, SELECTOR_LENGTH);
        // Another code (live, or kept a day after its end) has these first characters: draw again (a selector names one code).
        const inserted = await client.query(
          `INSERT INTO link_codes (selector, secret_hash, account_id, created_ms, expires_ms) VALUES ($1, $2, $3, $4, $5)
           ON CONFLICT (selector) DO NOTHING`,
          [selector, secretHash(code), accountId, now, now + ttlMs],
        );
        if (inserted.rowCount === 1) return formatLinkCode(code);
      }
    });
  }

  async redeemLinkCode(code: string, identity: ChatIdentity, conversationReference: unknown, now: number, attempt: LinkAttempt): Promise<LinkOutcome> {
    const { limits } = attempt;
    const identityKey = `${identity.channel}:${identity.userId}`;
    const address = attempt.address ?? null;
    return inTransaction(this.pool, async (client): Promise<LinkOutcome> => {
      // One redemption at a time per schema: counts and the code's state cannot change between reading and writing them.
      await lockFor(client, this.schema, 'link-codes');
      const since = now - limits.failureWindowMs;
      const failures = async (column: 'identity' | 'address', key: string): Promise<FailureCount> => {
        const row = (await client.query<{ n: number; last: string | number | null }>(`SELECT count(*)::int AS n, max(at_ms) AS last FROM link_failures WHERE ${column} = $1 AND at_ms >= $2`, [key, since])).rows[0];
        return { n: row.n, last: row.last === null ? null : Number(row.last) };
      };
      // A sender over its free tries waits first; the code is not even looked at meanwhile (no oracle for a guesser).
      const identityWait = backoffWait(await failures('identity', identityKey), limits.perIdentity, limits, now);
      const addressWait = address === null ? 0 : backoffWait(await failures('address', address), limits.perAddress, limits, now);
      if (identityWait > 0 || addressWait > 0)
        return { ok: false, reason: 'blocked', limit: identityWait >= addressWait ? 'identity' : 'address', retryAfterMs: Math.max(identityWait, addressWait) };
      const fail = async (voided = false): Promise<LinkOutcome> => {
        await client.query('DELETE FROM link_failures WHERE at_ms < $1', [since]);
        await client.query('INSERT INTO link_failures (at_ms, identity, address) VALUES ($1, $2, $3)', [now, identityKey, address]);
        // Said once when the count in the window reaches the threshold (again only after it fell back below); the lock keeps the count exact.
        const overall = (await client.query<{ n: number }>('SELECT count(*)::int AS n FROM link_failures WHERE at_ms >= $1', [since])).rows[0].n;
        return { ok: false, reason: 'wrong', ...(voided ? { voided } : {}), ...(overall === limits.alertOverall ? { alertOverall: overall } : {}) };
      };
      const normalized = normalizeLinkCode(code);
      if (!normalized) return fail();
      const selector = normalized.slice(0, SELECTOR_LENGTH);
      const row = (await client.query<CodeRow>('SELECT secret_hash, account_id, expires_ms, used_ms, voided_ms, failures FROM link_codes WHERE selector = $1', [selector])).rows[0];
      if (!row || row.used_ms !== null || row.voided_ms !== null || row.expires_ms < now) return fail();
      if (!sameHash(row.secret_hash, secretHash(normalized))) {
        const voided = (
          await client.query<{ voided_ms: number | null }>(
            'UPDATE link_codes SET failures = failures + 1, voided_ms = CASE WHEN failures + 1 >= $1 THEN $2::bigint ELSE voided_ms END WHERE selector = $3 RETURNING voided_ms',
            [limits.triesPerCode, now, selector],
          )
        ).rows[0];
        return fail(voided?.voided_ms === now);
      }
      // Spent before anything else: the same code never links twice, even from two instances.
      const spent = await client.query('UPDATE link_codes SET used_ms = $1 WHERE selector = $2 AND used_ms IS NULL AND voided_ms IS NULL', [now, selector]);
      if (spent.rowCount !== 1) return fail();
      const owner = await this.accountRow(row.account_id, client);
      if (!owner || owner.active !== 1) return fail();
      // A console sign-in spends the code like a chat link but links no chat identity.
      if (!attempt.signIn)
        await client.query(
          `INSERT INTO chat_identities (channel, user_id, account_id, conversation, linked_ms) VALUES ($1, $2, $3, $4, $5)
           ON CONFLICT (channel, user_id) DO UPDATE SET account_id = EXCLUDED.account_id, conversation = EXCLUDED.conversation, linked_ms = EXCLUDED.linked_ms`,
          [identity.channel, identity.userId, owner.id, conversationReference === undefined ? null : JSON.stringify(conversationReference), now],
        );
      return { ok: true, account: account(owner) };
    });
  }

  async revokeApiTokens(accountId: string, now: number): Promise<number> {
    await this.requireAccount(accountId);
    return (await this.pool.query('UPDATE api_tokens SET revoked_ms = $1 WHERE account_id = $2 AND revoked_ms IS NULL', [now, accountId])).rowCount ?? 0;
  }

  async unlinkIdentities(accountId: string, identity?: ChatIdentity): Promise<number> {
    await this.requireAccount(accountId);
    const result = identity
      ? await this.pool.query('DELETE FROM chat_identities WHERE account_id = $1 AND channel = $2 AND user_id = $3', [accountId, identity.channel, identity.userId])
      : await this.pool.query('DELETE FROM chat_identities WHERE account_id = $1', [accountId]);
    return result.rowCount ?? 0;
  }

  async dropLinkCodes(accountId: string): Promise<void> {
    await this.pool.query('DELETE FROM link_codes WHERE account_id = $1 AND used_ms IS NULL', [accountId]);
  }

  async accountByIdentity(identity: ChatIdentity): Promise<Account | undefined> {
    const row = (
      await this.pool.query<AccountRow>(
        `SELECT a.* FROM chat_identities i JOIN accounts a ON a.id = i.account_id
         WHERE i.channel = $1 AND i.user_id = $2 AND a.active = 1`,
        [identity.channel, identity.userId],
      )
    ).rows[0];
    return row ? account(row) : undefined;
  }

  async identitiesOf(accountId: string): Promise<Array<ChatIdentity & { conversationReference: unknown }>> {
    const rows = await this.pool.query<{ channel: string; user_id: string; conversation: string | null }>(
      'SELECT channel, user_id, conversation FROM chat_identities WHERE account_id = $1 ORDER BY linked_ms, channel COLLATE "C", user_id COLLATE "C"',
      [accountId],
    );
    return rows.rows.map((r) => ({
      channel: r.channel,
      userId: r.user_id,
      conversationReference: r.conversation === null ? undefined : (JSON.parse(r.conversation) as unknown),
    }));
  }

  async accountsFor(agency: string | undefined, roles: readonly Role[]): Promise<Account[]> {
    if (roles.length === 0) return [];
    const agencyBound = roles.filter((r) => r === 'officer' || r === 'approver');
    const global = roles.filter((r) => r === 'editor' || r === 'admin');
    const rows: AccountRow[] = [];
    if (agencyBound.length > 0 && agency !== undefined)
      rows.push(
        ...(await this.pool.query<AccountRow>('SELECT * FROM accounts WHERE active = 1 AND agency = $1 AND role = ANY($2::text[]) ORDER BY created_ms, id COLLATE "C"', [agency, agencyBound]))
          .rows,
      );
    if (global.length > 0) rows.push(...(await this.pool.query<AccountRow>('SELECT * FROM accounts WHERE active = 1 AND role = ANY($1::text[]) ORDER BY created_ms, id COLLATE "C"', [global])).rows);
    return rows.map(account);
  }

  async saveDraft(input: { q: string; agency: string; text: string; author: string }, now: number): Promise<Draft> {
    const row = (
      await this.pool.query<DraftRow>(`INSERT INTO drafts (q, agency, text, author, status, created_ms) VALUES ($1, $2, $3, $4, 'pending', $5) RETURNING *`, [
        input.q,
        input.agency,
        input.text,
        input.author,
        now,
      ])
    ).rows[0];
    return draft(row);
  }

  async latestDraft(q: string): Promise<Draft | undefined> {
    const row = (await this.pool.query<DraftRow>('SELECT * FROM drafts WHERE q = $1 ORDER BY id DESC LIMIT 1', [q])).rows[0];
    return row ? draft(row) : undefined;
  }

  async draftsOf(q: string): Promise<Draft[]> {
    return (await this.pool.query<DraftRow>('SELECT * FROM drafts WHERE q = $1 ORDER BY id', [q])).rows.map(draft);
  }

  /** Decides a pending draft; throws when it is not pending any more (someone decided it meanwhile). */
  async decideDraft(id: number, decision: { status: 'approved' | 'returned'; by: string; comment?: string }, now: number): Promise<void> {
    const changed = await this.pool.query(
      `UPDATE drafts SET status = $2, comment = coalesce($3, comment), decided_ms = $4, decided_by = $5
       WHERE id = $1 AND status = 'pending'`,
      [id, decision.status, decision.comment ?? null, now, decision.by],
    );
    if (changed.rowCount !== 1) {
      const row = (await this.pool.query<DraftRow>('SELECT * FROM drafts WHERE id = $1', [id])).rows[0];
      throw new Error(row ? `draft ${id} is already ${row.status}` : `no draft ${id}`);
    }
  }

  async pendingDrafts(agency?: string): Promise<Draft[]> {
    const rows =
      agency === undefined
        ? await this.pool.query<DraftRow>(`SELECT * FROM drafts WHERE status = 'pending' ORDER BY id`)
        : await this.pool.query<DraftRow>(`SELECT * FROM drafts WHERE agency = $1 AND status = 'pending' ORDER BY id`, [agency]);
    return rows.rows.map(draft);
  }

  async claimNotification(key: string, now: number): Promise<boolean> {
    return this.keys.claimNotification(key, now);
  }
}

/**
 * The once-only keys of notifications (`notifications_sent`): the sweeper's reminders and digests,
 * answer hand-overs, citizens' notices. The primary key makes a claim atomic across restarts and
 * instances sharing the database.
 */
export class PostgresNotificationKeys implements NotificationKeys {
  private readonly pool: Pool;

  constructor(ledger: PostgresLedgerStore) {
    this.pool = nulSafePool(ledger.pool);
  }

  async claimNotification(key: string, now: number): Promise<boolean> {
    return (await this.pool.query('INSERT INTO notifications_sent (key, created_ms) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING', [key, now])).rowCount === 1;
  }

  async firstRecorded(key: string, now: number): Promise<number> {
    // One statement: the first writer's time, whoever wrote it (DO UPDATE so that RETURNING gives the existing row too).
    const row = await this.pool.query<{ created_ms: number }>(
      'INSERT INTO notifications_sent (key, created_ms) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET created_ms = notifications_sent.created_ms RETURNING created_ms',
      [key, now],
    );
    return row.rows[0].created_ms;
  }
}
