import { z } from 'zod';
import { ROLES, type Role } from '../../domain/access';
import { WorkflowError } from '../errors';
import type { StaffAccount } from '../use-case-ports';
import type { AccountActionBy, AccountDeps } from './ports';

/** A plain address check (one @, a dot in the domain, no spaces): the mail server has the last word. */
const EMAIL = /^[^\s@]{1,64}@(?:[^\s@.]{1,63}\.)+[^\s@.]{2,63}$/;

/** A new back-office account: a role, the agency for officers and approvers, optionally an e-mail address. */
export const CreateAccountInput = z.object({
  name: z.string(),
  role: z.string(),
  /** A code or a name; required for officers and approvers, refused for editors and admins (they work for all agencies). */
  agency: z.string().optional(),
  /** Where the person is told of work by e-mail when they link no chat (approvers: new drafts). */
  email: z.string().optional(),
});
export type CreateAccountInput = z.infer<typeof CreateAccountInput>;

/** An e-mail address trimmed and lower-cased, or undefined for none; throws WorkflowError 'invalid_input' when it is not one. */
function checkedEmail(input: string | undefined): string | undefined {
  const email = input?.trim() ? input.trim().toLowerCase() : undefined;
  if (email !== undefined && (email.length > 254 || !EMAIL.test(email))) throw new WorkflowError('invalid_input', `email must be an e-mail address such as ten@laocai.gov.vn; got "${input}"`);
  return email;
}

/** Checks a new account's fields and resolves its agency; throws WorkflowError 'invalid_input' saying what to fix. */
export function validateAccountInput(deps: Pick<AccountDeps, 'facts'>, input: CreateAccountInput): { name: string; role: Role; agency?: string; email?: string } {
  const name = typeof input.name === 'string' ? input.name.trim() : '';
  if (name === '') throw new WorkflowError('invalid_input', 'name must be a non-empty text');
  if (name.length > 200) throw new WorkflowError('invalid_input', 'name is too long (at most 200 characters)');
  if (!(ROLES as readonly string[]).includes(input.role)) throw new WorkflowError('invalid_input', `role must be one of ${ROLES.join(', ')}; got "${input.role}"`);
  const role = input.role as Role;
  const agencyText = input.agency?.trim() ? input.agency.trim() : undefined;
  let agency: string | undefined;
  if (role === 'officer' || role === 'approver') {
    if (!agencyText) throw new WorkflowError('invalid_input', `an ${role} works for one agency: give its code or name (agency)`);
    const match = deps.facts.agencies.resolve(agencyText);
    if (match.kind === 'ambiguous')
      throw new WorkflowError('invalid_input', `agency "${agencyText}" may mean ${match.candidates.map((a) => `${a.code} (${a.name})`).join(', ')}; use a code`);
    if (match.kind === 'unknown') throw new WorkflowError('invalid_input', `agency: no agency is called "${agencyText}"; use a code from data/agencies.json such as so-yte`);
    agency = match.agency.code;
  } else if (agencyText) {
    throw new WorkflowError('invalid_input', `${role === 'admin' ? 'an admin' : 'an editor'} works for all agencies: leave agency out`);
  }
  const email = checkedEmail(input.email);
  return { name, role, ...(agency ? { agency } : {}), ...(email ? { email } : {}) };
}

/** Creates an account and its first API token (the only time the token is shown). */
export async function createAccount(deps: AccountDeps, input: CreateAccountInput, by: AccountActionBy): Promise<{ account: StaffAccount; token: string }> {
  const now = deps.now();
  const account = await deps.accounts.createAccount(validateAccountInput(deps, input), now);
  const token = await deps.accounts.issueApiToken(account.id, now);
  deps.log.info('account created', { account: account.id, role: account.role, agency: account.agency, by });
  return { account, token };
}

/**
 * Gives an account the e-mail address it is told of work at when it links no chat (approvers: new
 * drafts), or removes it (`email` undefined or blank).
 */
export async function setAccountEmail(deps: Pick<AccountDeps, 'accounts' | 'log'>, input: { id: string; email?: string }, by: AccountActionBy): Promise<StaffAccount> {
  const email = checkedEmail(input.email);
  const account = await deps.accounts.getAccount(input.id);
  if (!account) throw new WorkflowError('not_found', `no account ${input.id}`);
  await deps.accounts.setAccountEmail(input.id, email);
  deps.log.info('account e-mail changed', { account: input.id, set: email !== undefined, by });
  const updated: StaffAccount = { ...account };
  if (email) updated.email = email;
  else delete updated.email;
  return updated;
}
