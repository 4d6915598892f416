import type Database from 'better-sqlite3';
import { createHash, randomBytes, randomInt } from 'node:crypto';
import { ROLES, type Account, type BackofficeStore, type ChatIdentity, type Draft, type Role } from '../backoffice/types';

/** One-time link codes are valid this long unless the caller says otherwise. */
export const DEFAULT_LINK_CODE_TTL_MS = 60 * 60_000;

/** Tokens and codes are kept only as hashes: a copy of the database does not let anyone in. */
export function secretHash(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

/** The form people type a link code in: six digits, spaces and dashes ignored. */
export function normalizeLinkCode(code: string): string | undefined {
  const digits = code.replace(/[\s-]/g, '');
  return /^\d{6}$/.test(digits) ? digits : undefined;
}

interface AccountRow {
  id: string;
  name: string;
  role: string;
  agency: string | null;
  active: number;
  created_ms: number;
}

interface DraftRow {
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

function account(r: AccountRow): Account {
  return {
    id: r.id,
    name: r.name,
    role: r.role as Role,
    ...(r.agency !== null ? { agency: r.agency } : {}),
    active: r.active === 1,
    createdAt: r.created_ms,
  };
}

function draft(r: DraftRow): Draft {
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
      codeByHash: db.prepare<[string], { account_id: string; expires_ms: number; used_ms: number | null }>(
        'SELECT account_id, expires_ms, used_ms FROM link_codes WHERE code_hash = ?',
      ),
      deleteCode: db.prepare('DELETE FROM link_codes WHERE code_hash = ?'),
      // One live code per account: a new one replaces any the person had not used yet.
      dropUnusedCodes: db.prepare('DELETE FROM link_codes WHERE account_id = ? AND used_ms IS NULL'),
      dropDeadCodes: db.prepare('DELETE FROM link_codes WHERE used_ms IS NOT NULL OR expires_ms < ?'),
      insertCode: db.prepare('INSERT INTO link_codes (code_hash, account_id, expires_ms) VALUES (?, ?, ?)'),
      spendCode: db.prepare('UPDATE link_codes SET used_ms = ? WHERE code_hash = ? AND used_ms IS NULL'),
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

  async createAccount(input: { name: string; role: Role; agency?: string }, now: number): Promise<Account> {
    const name = input.name.trim();
    if (name === '') throw new Error('an account needs a name');
    if (!ROLES.includes(input.role)) throw new Error(`unknown role "${String(input.role)}"; one of ${ROLES.join(', ')}`);
    const agencyBound = input.role === 'officer' || input.role === 'approver';
    if (agencyBound && !input.agency) throw new Error(`an ${input.role} account needs the agency it works for`);
    const agency = agencyBound ? (input.agency as string) : null;
    for (;;) {
      const id = `acc_${randomBytes(8).toString('hex')}`;
      try {
        this.stmt.insertAccount.run(id, name, input.role, agency, now);
        return account({ id, name, role: input.role, agency, active: 1, created_ms: now });
      } catch (err) {
        // 64 random bits collide essentially never; retry rather than fail if they do.
        if ((err as { code?: string }).code !== 'SQLITE_CONSTRAINT_PRIMARYKEY') throw err;
      }
    }
  }

  async getAccount(id: string): Promise<Account | undefined> {
    const row = this.stmt.getAccount.get(id);
    return row ? account(row) : undefined;
  }

  async listAccounts(filter: { agency?: string; role?: Role } = {}): Promise<Account[]> {
    const where: string[] = [];
    const params: string[] = [];
    if (filter.agency !== undefined) where.push('agency = ?'), params.push(filter.agency);
    if (filter.role !== undefined) where.push('role = ?'), params.push(filter.role);
    const sql = `SELECT * FROM accounts ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY created_ms, id`;
    return this.db.prepare<string[], AccountRow>(sql).all(...params).map(account);
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
      this.stmt.dropDeadCodes.run(now);
      this.stmt.dropUnusedCodes.run(accountId);
      for (;;) {
        const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
        const hash = secretHash(code);
        // Another account's live code: draw again (codes must name one account).
        if (this.stmt.codeByHash.get(hash)) continue;
        this.stmt.insertCode.run(hash, accountId, now + ttlMs);
        return code;
      }
    }).immediate();
  }

  async redeemLinkCode(code: string, identity: ChatIdentity, conversationReference: unknown, now: number): Promise<Account | undefined> {
    const normalized = normalizeLinkCode(code);
    if (!normalized) return undefined;
    const hash = secretHash(normalized);
    return this.db.transaction(() => {
      const row = this.stmt.codeByHash.get(hash);
      if (!row || row.used_ms !== null) return undefined;
      if (row.expires_ms < now) {
        this.stmt.deleteCode.run(hash);
        return undefined;
      }
      // Spent before anything else: the same code never links twice, even from two processes.
      if (this.stmt.spendCode.run(now, hash).changes !== 1) return undefined;
      const owner = this.stmt.getAccount.get(row.account_id);
      if (!owner || owner.active !== 1) return undefined;
      this.stmt.upsertIdentity.run(identity.channel, identity.userId, owner.id, conversationReference === undefined ? null : JSON.stringify(conversationReference), now);
      return account(owner);
    }).immediate();
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
    return rows.map(account);
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
