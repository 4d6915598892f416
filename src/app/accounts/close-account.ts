import { WorkflowError } from '../errors';
import type { StaffAccount } from '../use-case-ports';
import type { AccountActionBy, AccountDeps } from './ports';

/** Closing an account's doors, each a logged action (admins, or the CLI with the database file). */

/**
 * Deactivates an account: its API tokens, chat links and link codes stop working at once
 * (every lookup that grants access skips inactive accounts); unused link codes are dropped.
 */
export async function deactivateAccount(deps: Pick<AccountDeps, 'accounts' | 'now' | 'log'>, input: { id: string }, by: AccountActionBy): Promise<StaffAccount> {
  const account = await deps.accounts.getAccount(input.id);
  if (!account) throw new WorkflowError('not_found', `no account ${input.id}`);
  await deps.accounts.setAccountActive(input.id, false);
  await deps.accounts.dropLinkCodes(input.id);
  deps.log.warn('account deactivated', { account: input.id, role: account.role, by });
  return { ...account, active: false };
}

/** Revokes every API token of an account (it keeps working in chat; deactivation stops everything). */
export async function revokeAccountTokens(deps: Pick<AccountDeps, 'accounts' | 'now' | 'log'>, input: { id: string }, by: AccountActionBy): Promise<number> {
  if (!(await deps.accounts.getAccount(input.id))) throw new WorkflowError('not_found', `no account ${input.id}`);
  const revoked = await deps.accounts.revokeApiTokens(input.id, deps.now());
  deps.log.warn('account API tokens revoked', { account: input.id, revoked, by });
  return revoked;
}

/** Unlinks one chat identity of an account (channel and user id), or all of them. */
export async function unlinkAccount(deps: Pick<AccountDeps, 'accounts' | 'now' | 'log'>, input: { id: string; identity?: { channel: string; userId: string } }, by: AccountActionBy): Promise<number> {
  if (!(await deps.accounts.getAccount(input.id))) throw new WorkflowError('not_found', `no account ${input.id}`);
  const removed = await deps.accounts.unlinkIdentities(input.id, input.identity);
  deps.log.warn('chat identities unlinked from an account', { account: input.id, removed, ...(input.identity ? { channel: input.identity.channel } : { all: true }), by });
  return removed;
}
