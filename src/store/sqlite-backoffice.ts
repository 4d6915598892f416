import type Database from 'better-sqlite3';
import { createHash, randomBytes, randomInt, timingSafeEqual } from 'node:crypto';
import { ROLES, type Account, type BackofficeStore, type ChatIdentity, type Draft, type LinkAttempt, type LinkOutcome, type Role } from '../backoffice/types';

/** One-time link codes are valid this long unless the caller says otherwise (data/policy.json linking.codeTtlMinutes). */
export const DEFAULT_LINK_CODE_TTL_MS = 60 * 60_000;

/**
 * Link codes: 10 characters from an alphabet of 30 without look-alikes (no 0/O, 1/I/L, U), shown
 * as XXXXX-XXXXX. The first 3 characters name the code (so wrong tries are counted against
 * it and it is void after a few), the other 7 are its secret: 30^7 ≈ 2.2e10 values. Whoever
 * guesses, from however many addresses, gets at most `triesPerCode` (3) tries at a code's
 * secret before it is void: a code falls with probability ≤ 3/30^7 ≈ 1.4e-10, whatever the
 * volume. That per-code bound is the protection against guessing; the per-identity and
 * per-address limits only slow a guesser down (a growing wait, never a lockout), and the
 * overall count only alerts the admins: a cap on it would let anyone lock every officer out.
 */
import { LINK_CODE_ALPHABET, LINK_CODE_LENGTH, normalizeLinkCode } from '../domain/link-code';
export { LINK_CODE_ALPHABET, LINK_CODE_LENGTH, normalizeLinkCode } from '../domain/link-code';
export const SELECTOR_LENGTH = 3;

/** Tokens and codes are kept only as hashes: a copy of the database does not let anyone in. */
export function secretHash(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

export function newLinkCode(): string {
  let code = '';
  for (let i = 0; i < LINK_CODE_LENGTH; i += 1) code += LINK_CODE_ALPHABET[randomInt(0, LINK_CODE_ALPHABET.length)];
  return code;
}

/** How a code is shown: XXXXX-XXXXX. */
export function formatLinkCode(code: string): string {
  return `${code.slice(0, 5)}-${code.slice(5)}`;
}

export interface FailureCount {
  n: number;
  last: number | null;
}

/**
 * How long a sender with `count` wrong tries in the window still waits: nothing for the first `free`,
 * then `firstDelayMs` after the last one, doubling with each further wrong try, up to `maxDelayMs`.
 */
export function backoffWait(count: FailureCount, free: number, limits: Pick<LinkAttempt['limits'], 'firstDelayMs' | 'maxDelayMs'>, now: number): number {
  if (count.n < free || count.last === null) return 0;
  // 2^30 is far past any cap; the exponent is bounded so that the product stays a finite number.
  const delay = Math.min(limits.firstDelayMs * 2 ** Math.min(count.n - free, 30), limits.maxDelayMs);
  return Math.max(0, count.last + delay - now);
}

export function sameHash(a: string, b: string): boolean {
  const x = Buffer.from(a, 'hex');
  const y = Buffer.from(b, 'hex');
  return x.length === y.length && timingSafeEqual(x, y);
}

export interface AccountRow {
  id: string;
  name: string;
  role: string;
  agency: string | null;
  active: number;
  created_ms: number;
  /** PostgreSQL keeps the e-mail address on the row; SQLite in account_contacts (added later). */
  email?: string | null;
}

export interface DraftRow {
  id: number;
  q: string;
  agency: string;
  text: string;
  author: string;
  status: string;
  comment: string | null;
  created_ms: number;
  decided_ms: number | null;
  decided_by: string | null;
}

export function account(r: AccountRow): Account {
  return {
    id: r.id,
    name: r.name,
    role: r.role as Role,
    ...(r.agency !== null ? { agency: r.agency } : {}),
    active: r.active === 1,
    createdAt: r.created_ms,
    ...(r.email ? { email: r.email } : {}),
  };
}

export function draft(r: DraftRow): Draft {
  return {
    id: r.id,
    q: r.q,
    agency: r.agency,
    text: r.text,
    author: r.author,
    status: r.status as Draft['status'],
    ...(r.comment !== null ? { comment: r.comment } : {}),
    createdAt: r.created_ms,
    ...(r.decided_ms !== null ? { decidedAt: r.decided_ms } : {}),
    ...(r.decided_by !== null ? { decidedBy: r.decided_by } : {}),
  };
}

/**
 * Accounts, API tokens, chat links, drafts and once-only notification keys in the
 * SQLite file (tables of migration 6). Deactivated accounts are invisible to every
 * lookup that grants access: their tokens, codes and chat links stop working.
 */
export class SqliteBackofficeStore implements BackofficeStore {
  private readonly stmt;

  constructor(private readonly db: Database.Database) {
    this.stmt = {
      insertAccount: db.prepare('INSERT INTO accounts (id, name, role, agency, active, created_ms) VALUES (?, ?, ?, ?, 1, ?)'),
      getAccount: db.prepare<[string], AccountRow>('SELECT * FROM accounts WHERE id = ?'),
      setActive: db.prepare('UPDATE accounts SET active = ? WHERE id = ?'),
      insertToken: db.prepare('INSERT INTO api_tokens (token_hash, account_id, created_ms) VALUES (?, ?, ?)'),
      accountByToken: db.prepare<[string], AccountRow>(
        `SELECT a.* FROM api_tokens t JOIN accounts a ON a.id = t.account_id
         WHERE t.token_hash = ? AND t.revoked_ms IS NULL AND a.active = 1`,
      ),
      codeBySelector: db.prepare<[string], { secret_hash: string; account_id: string; expires_ms: number; used_ms: number | null; voided_ms: number | null; failures: number }>(
        'SELECT secret_hash, account_id, expires_ms, used_ms, voided_ms, failures FROM link_codes WHERE selector = ?',
      ),
      // One live code per account: a new one replaces any the person had not used yet.
      dropUnusedCodes: db.prepare('DELETE FROM link_codes WHERE account_id = ? AND used_ms IS NULL'),
      // Spent, void and expired codes are kept a day (what happened to a code stays visible), then dropped.
      dropDeadCodes: db.prepare('DELETE FROM link_codes WHERE expires_ms < ?'),
      insertCode: db.prepare('INSERT INTO link_codes (selector, secret_hash, account_id, created_ms, expires_ms) VALUES (?, ?, ?, ?, ?)'),
      spendCode: db.prepare('UPDATE link_codes SET used_ms = ? WHERE selector = ? AND used_ms IS NULL AND voided_ms IS NULL'),
      codeFailed: db.prepare<[number, number, string]>(
        'UPDATE link_codes SET failures = failures + 1, voided_ms = CASE WHEN failures + 1 >= ? THEN ? ELSE voided_ms END WHERE selector = ? RETURNING voided_ms',
      ),
      insertFailure: db.prepare('INSERT INTO link_failures (at_ms, identity, address) VALUES (?, ?, ?)'),
      pruneFailures: db.prepare('DELETE FROM link_failures WHERE at_ms < ?'),
      failuresOfIdentity: db.prepare<[string, number], FailureCount>('SELECT count(*) AS n, max(at_ms) AS last FROM link_failures WHERE identity = ? AND at_ms >= ?'),
      failuresOfAddress: db.prepare<[string, number], FailureCount>('SELECT count(*) AS n, max(at_ms) AS last FROM link_failures WHERE address = ? AND at_ms >= ?'),
      failuresOverall: db.prepare<[number], { n: number }>('SELECT count(*) AS n FROM link_failures WHERE at_ms >= ?'),
      revokeTokens: db.prepare('UPDATE api_tokens SET revoked_ms = ? WHERE account_id = ? AND revoked_ms IS NULL'),
      unlinkAll: db.prepare('DELETE FROM chat_identities WHERE account_id = ?'),
      unlinkOne: db.prepare('DELETE FROM chat_identities WHERE account_id = ? AND channel = ? AND user_id = ?'),
      upsertIdentity: db.prepare(
        `INSERT INTO chat_identities (channel, user_id, account_id, conversation, linked_ms) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (channel, user_id) DO UPDATE SET account_id = excluded.account_id, conversation = excluded.conversation, linked_ms = excluded.linked_ms`,
      ),
      accountByIdentity: db.prepare<[string, string], AccountRow>(
        `SELECT a.* FROM chat_identities i JOIN accounts a ON a.id = i.account_id
         WHERE i.channel = ? AND i.user_id = ? AND a.active = 1`,
      ),
      identitiesOf: db.prepare<[string], { channel: string; user_id: string; conversation: string | null }>(
        'SELECT channel, user_id, conversation FROM chat_identities WHERE account_id = ? ORDER BY linked_ms, channel, user_id',
      ),
      insertDraft: db.prepare<[string, string, string, string, number], DraftRow>(
        `INSERT INTO drafts (q, agency, text, author, status, created_ms) VALUES (?, ?, ?, ?, 'pending', ?) RETURNING *`,
      ),
      latestDraft: db.prepare<[string], DraftRow>('SELECT * FROM drafts WHERE q = ? ORDER BY id DESC LIMIT 1'),
      decideDraft: db.prepare(
        `UPDATE drafts SET status = @status, comment = coalesce(@comment, comment), decided_ms = @now, decided_by = @by
         WHERE id = @id AND status = 'pending'`,
      ),
      draftById: db.prepare<[number], DraftRow>('SELECT * FROM drafts WHERE id = ?'),
      claim: db.prepare('INSERT INTO notifications_sent (key, created_ms) VALUES (?, ?) ON CONFLICT (key) DO NOTHING'),
    };
  }

  /** The accounts with their e-mail addresses (account_contacts), in the same order. */
  private withEmail(accounts: Account[]): Account[] {
    if (accounts.length === 0) return accounts;
    const rows = this.db
      .prepare<[string], { account_id: string; email: string }>('SELECT account_id, email FROM account_contacts WHERE account_id IN (SELECT value FROM json_each(?))')
      .all(JSON.stringify(accounts.map((a) => a.id)));
    const emails = new Map(rows.map((r) => [r.account_id, r.email]));
    return accounts.map((a) => (emails.has(a.id) ? { ...a, email: emails.get(a.id) as string } : a));
  }

  async setAccountEmail(id: string, email: string | undefined): Promise<void> {
    if (!this.stmt.getAccount.get(id)) throw new Error(`no account ${id}`);
    if (email === undefined) this.db.prepare('DELETE FROM account_contacts WHERE account_id = ?').run(id);
    else this.db.prepare('INSERT INTO account_contacts (account_id, email) VALUES (?, ?) ON CONFLICT (account_id) DO UPDATE SET email = excluded.email').run(id, email);
  }

  async createAccount(input: { name: string; role: Role; agency?: string; email?: string }, now: number): Promise<Account> {
    const name = input.name.trim();
    if (name === '') throw new Error('an account needs a name');
    if (!ROLES.includes(input.role)) throw new Error(`unknown role "${String(input.role)}"; one of ${ROLES.join(', ')}`);
    const agencyBound = input.role === 'officer' || input.role === 'approver';
    if (agencyBound && !input.agency) throw new Error(`an ${input.role} account needs the agency it works for`);
    const agency = agencyBound ? (input.agency as string) : null;
    for (;;) {
      const id = `acc_${randomBytes(8).toString('hex')}`;
      try {
        const created = this.db.transaction(() => {
          this.stmt.insertAccount.run(id, name, input.role, agency, now);
          if (input.email !== undefined) this.db.prepare('INSERT INTO account_contacts (account_id, email) VALUES (?, ?)').run(id, input.email);
          return account({ id, name, role: input.role, agency, active: 1, created_ms: now });
        })();
        return input.email !== undefined ? { ...created, email: input.email } : created;
      } catch (err) {
        // 64 random bits collide essentially never; retry rather than fail if they do.
        if ((err as { code?: string }).code !== 'SQLITE_CONSTRAINT_PRIMARYKEY') throw err;
      }
    }
  }

  async getAccount(id: string): Promise<Account | undefined> {
    const row = this.stmt.getAccount.get(id);
    return row ? this.withEmail([account(row)])[0] : undefined;
  }

  async listAccounts(filter: { agency?: string; role?: Role } = {}): Promise<Account[]> {
    const where: string[] = [];
    const params: string[] = [];
    if (filter.agency !== undefined) where.push('agency = ?'), params.push(filter.agency);
    if (filter.role !== undefined) where.push('role = ?'), params.push(filter.role);
    const sql = `SELECT * FROM accounts ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY created_ms, id`;
    return this.withEmail(this.db.prepare<string[], AccountRow>(sql).all(...params).map(account));
  }

  async setAccountActive(id: string, active: boolean): Promise<void> {
    const changed = this.stmt.setActive.run(active ? 1 : 0, id).changes;
    if (changed === 0) throw new Error(`no account ${id}`);
  }

  async issueApiToken(accountId: string, now: number): Promise<string> {
    if (!this.stmt.getAccount.get(accountId)) throw new Error(`no account ${accountId}`);
    const token = randomBytes(32).toString('base64url');
    this.stmt.insertToken.run(secretHash(token), accountId, now);
    return token;
  }

  async accountByApiToken(token: string): Promise<Account | undefined> {
    if (!token) return undefined;
    const row = this.stmt.accountByToken.get(secretHash(token));
    return row ? account(row) : undefined;
  }

  async createLinkCode(accountId: string, now: number, ttlMs: number = DEFAULT_LINK_CODE_TTL_MS): Promise<string> {
    if (!this.stmt.getAccount.get(accountId)) throw new Error(`no account ${accountId}`);
    return this.db.transaction(() => {
      this.stmt.dropDeadCodes.run(now - 86_400_000);
      this.stmt.dropUnusedCodes.run(accountId);
      for (;;) {
        const code = newLinkCode();
        const selector = code.slice(0, SELECTOR_LENGTH);
        // Another code (live, or kept a day after its end) has these first characters: draw again (a selector names one code).
        if (this.stmt.codeBySelector.get(selector)) continue;
        this.stmt.insertCode.run(selector, secretHash(code), accountId, now, now + ttlMs);
        return formatLinkCode(code);
      }
    }).immediate();
  }

  async redeemLinkCode(code: string, identity: ChatIdentity, conversationReference: unknown, now: number, attempt: LinkAttempt): Promise<LinkOutcome> {
    const { limits } = attempt;
    const identityKey = `${identity.channel}:${identity.userId}`;
    const address = attempt.address ?? null;
    return this.db.transaction((): LinkOutcome => {
      const since = now - limits.failureWindowMs;
      // A sender over its free tries waits first; the code is not even looked at meanwhile (no oracle for a guesser).
      const identityWait = backoffWait(this.stmt.failuresOfIdentity.get(identityKey, since)!, limits.perIdentity, limits, now);
      const addressWait = address === null ? 0 : backoffWait(this.stmt.failuresOfAddress.get(address, since)!, limits.perAddress, limits, now);
      if (identityWait > 0 || addressWait > 0)
        return { ok: false, reason: 'blocked', limit: identityWait >= addressWait ? 'identity' : 'address', retryAfterMs: Math.max(identityWait, addressWait) };
      const fail = (voided = false): LinkOutcome => {
        this.stmt.pruneFailures.run(since);
        this.stmt.insertFailure.run(now, identityKey, address);
        // Said once when the count in the window reaches the threshold (again only after it fell back below).
        const overall = this.stmt.failuresOverall.get(since)!.n;
        return { ok: false, reason: 'wrong', ...(voided ? { voided } : {}), ...(overall === limits.alertOverall ? { alertOverall: overall } : {}) };
      };
      const normalized = normalizeLinkCode(code);
      if (!normalized) return fail();
      const selector = normalized.slice(0, SELECTOR_LENGTH);
      const row = this.stmt.codeBySelector.get(selector);
      if (!row || row.used_ms !== null || row.voided_ms !== null || row.expires_ms < now) return fail();
      if (!sameHash(row.secret_hash, secretHash(normalized))) {
        const voided = this.stmt.codeFailed.get(limits.triesPerCode, now, selector) as { voided_ms: number | null } | undefined;
        return fail(voided?.voided_ms === now);
      }
      // Spent before anything else: the same code never links twice, even from two processes.
      if (this.stmt.spendCode.run(now, selector).changes !== 1) return fail();
      const owner = this.stmt.getAccount.get(row.account_id);
      if (!owner || owner.active !== 1) return fail();
      if (!attempt.signIn) this.stmt.upsertIdentity.run(identity.channel, identity.userId, owner.id, conversationReference === undefined ? null : JSON.stringify(conversationReference), now);
      return { ok: true, account: account(owner) };
    }).immediate();
  }

  async revokeApiTokens(accountId: string, now: number): Promise<number> {
    if (!this.stmt.getAccount.get(accountId)) throw new Error(`no account ${accountId}`);
    return this.stmt.revokeTokens.run(now, accountId).changes;
  }

  async unlinkIdentities(accountId: string, identity?: ChatIdentity): Promise<number> {
    if (!this.stmt.getAccount.get(accountId)) throw new Error(`no account ${accountId}`);
    return identity ? this.stmt.unlinkOne.run(accountId, identity.channel, identity.userId).changes : this.stmt.unlinkAll.run(accountId).changes;
  }

  async dropLinkCodes(accountId: string): Promise<void> {
    this.stmt.dropUnusedCodes.run(accountId);
  }

  async accountByIdentity(identity: ChatIdentity): Promise<Account | undefined> {
    const row = this.stmt.accountByIdentity.get(identity.channel, identity.userId);
    return row ? account(row) : undefined;
  }

  async identitiesOf(accountId: string): Promise<Array<ChatIdentity & { conversationReference: unknown }>> {
    return this.stmt.identitiesOf.all(accountId).map((r) => ({
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
        ...this.db
          .prepare<string[], AccountRow>(`SELECT * FROM accounts WHERE active = 1 AND agency = ? AND role IN (${agencyBound.map(() => '?').join(',')}) ORDER BY created_ms, id`)
          .all(agency, ...agencyBound),
      );
    if (global.length > 0)
      rows.push(
        ...this.db
          .prepare<string[], AccountRow>(`SELECT * FROM accounts WHERE active = 1 AND role IN (${global.map(() => '?').join(',')}) ORDER BY created_ms, id`)
          .all(...global),
      );
    return this.withEmail(rows.map(account));
  }

  async saveDraft(input: { q: string; agency: string; text: string; author: string }, now: number): Promise<Draft> {
    return draft(this.stmt.insertDraft.get(input.q, input.agency, input.text, input.author, now) as DraftRow);
  }

  async latestDraft(q: string): Promise<Draft | undefined> {
    const row = this.stmt.latestDraft.get(q);
    return row ? draft(row) : undefined;
  }

  /** Decides a pending draft; throws when it is not pending any more (someone decided it meanwhile). */
  async decideDraft(id: number, decision: { status: 'approved' | 'returned'; by: string; comment?: string }, now: number): Promise<void> {
    const changed = this.stmt.decideDraft.run({ id, status: decision.status, comment: decision.comment ?? null, now, by: decision.by }).changes;
    if (changed !== 1) {
      const row = this.stmt.draftById.get(id);
      throw new Error(row ? `draft ${id} is already ${row.status}` : `no draft ${id}`);
    }
  }

  async draftsOf(q: string): Promise<Draft[]> {
    return this.db.prepare<[string], DraftRow>('SELECT * FROM drafts WHERE q = ? ORDER BY id').all(q).map(draft);
  }

  async pendingDrafts(agency?: string): Promise<Draft[]> {
    const rows =
      agency === undefined
        ? this.db.prepare<[], DraftRow>(`SELECT * FROM drafts WHERE status = 'pending' ORDER BY id`).all()
        : this.db.prepare<[string], DraftRow>(`SELECT * FROM drafts WHERE agency = ? AND status = 'pending' ORDER BY id`).all(agency);
    return rows.map(draft);
  }

  async claimNotification(key: string, now: number): Promise<boolean> {
    // The primary key makes this atomic across restarts and processes sharing the file.
    return this.stmt.claim.run(key, now).changes === 1;
  }
}
