import { createAccount, setAccountEmail as setEmail, validateAccountInput as validate, type CreateAccountInput } from '../app/accounts/create-account';
import { deactivateAccount as deactivate, revokeAccountTokens as revoke, unlinkAccount as unlink } from '../app/accounts/close-account';
import { linkCodeInstructions as instructions, linkFailuresAlertVi as failuresAlert, waitVi as wait } from '../app/accounts/link-code';
export { linkLimits } from '../app/accounts/link-code';
import { STAFF_TEXTS } from '../bot/texts';
import type { AccountDeps } from '../app/accounts/ports';
import type { ProvinceData } from '../config/data';
import { logger } from '../observability/logger';
import type { Account, BackofficeStore, ChatIdentity, LinkAttempt, Role } from './types';

/**
 * The account use cases (src/app/accounts/) wired to a back-office store and the logger, with the
 * signatures the CLI and the REST API call. Each caller checks who may call it.
 */

export type NewAccountInput = CreateAccountInput;
export type { AccountActionBy } from '../app/accounts/ports';

export function accountDeps(store: BackofficeStore, data: ProvinceData, now: () => number = Date.now): AccountDeps {
  return { facts: data, link: STAFF_TEXTS.link, accounts: store, now, log: logger };
}

/** Checks a new account's fields and resolves its agency; throws WorkflowError 'invalid_input' saying what to fix. */
export function validateAccountInput(data: ProvinceData, input: NewAccountInput): { name: string; role: Role; agency?: string; email?: string } {
  return validate({ facts: data }, input);
}

/** Creates an account and its first API token (the only time the token is shown). Errors are WorkflowError 'invalid_input'. */
export async function createAccountWithToken(store: BackofficeStore, data: ProvinceData, input: NewAccountInput, now: number, by = 'cli'): Promise<{ account: Account; token: string }> {
  return createAccount(accountDeps(store, data, () => now), input, by);
}

/** What to tell a person about their link code (Vietnamese: they read it). */
export function linkCodeInstructions(code: string, expiresAt: number, data: ProvinceData): string {
  return instructions(code, expiresAt, { facts: data, link: STAFF_TEXTS.link });
}

/** A wait as a person reads it: "45 giây", "3 phút" (rounded up: trying earlier is refused again). */
export function waitVi(ms: number): string {
  return wait(ms, STAFF_TEXTS.link);
}

/** What to tell the admins when wrong link codes from everyone reach the alert threshold. */
export function linkFailuresAlertVi(failures: number, windowMinutes: number): string {
  return failuresAlert(failures, windowMinutes, STAFF_TEXTS.link);
}

const storeOnly = (store: BackofficeStore, now: () => number = Date.now) => ({ accounts: store, now, log: logger });

/** Deactivates an account: its API tokens, chat links and link codes stop working at once. */
export async function deactivateAccount(store: BackofficeStore, id: string, by: string): Promise<Account> {
  return deactivate(storeOnly(store), { id }, by);
}

/** Revokes every API token of an account (it keeps working in chat; `deactivate` stops everything). */
export async function revokeAccountTokens(store: BackofficeStore, id: string, by: string, now: number): Promise<number> {
  return revoke(storeOnly(store, () => now), { id }, by);
}

/** Unlinks one chat identity of an account (channel and user id), or all of them. */
export async function unlinkAccount(store: BackofficeStore, id: string, by: string, identity?: ChatIdentity): Promise<number> {
  return unlink(storeOnly(store), { id, ...(identity ? { identity } : {}) }, by);
}

/** Sets or removes (`email` undefined) the address an account is told of work at when it links no chat. */
export async function setAccountEmail(store: BackofficeStore, id: string, email: string | undefined, by: string): Promise<Account> {
  return setEmail(storeOnly(store), { id, ...(email !== undefined ? { email } : {}) }, by);
}
