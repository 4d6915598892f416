import type { ProvinceData } from '../config/data';
import { WorkflowError } from './actions';
import { logger } from '../observability/logger';
import type { Policy } from '../domain/policy';
import { ROLES, type Account, type BackofficeStore, type ChatIdentity, type LinkAttempt, type Role } from './types';

/** Account creation and chat linking, shared by the CLI and the REST API (each checks who may call it). */

export interface NewAccountInput {
  name: string;
  role: string;
  /** A code or a name; required for officers and approvers, refused for editors and admins (they work for all agencies). */
  agency?: string;
}

/** Checks a new account's fields and resolves its agency; throws WorkflowError 'invalid_input' saying what to fix. */
export function validateAccountInput(data: ProvinceData, input: NewAccountInput): { name: string; role: Role; agency?: string } {
  const name = typeof input.name === 'string' ? input.name.trim() : '';
  if (name === '') throw new WorkflowError('invalid_input', 'name must be a non-empty text');
  if (name.length > 200) throw new WorkflowError('invalid_input', 'name is too long (at most 200 characters)');
  if (!(ROLES as readonly string[]).includes(input.role)) throw new WorkflowError('invalid_input', `role must be one of ${ROLES.join(', ')}; got "${input.role}"`);
  const role = input.role as Role;
  const agencyText = input.agency?.trim() ? input.agency.trim() : undefined;
  let agency: string | undefined;
  if (role === 'officer' || role === 'approver') {
    if (!agencyText) throw new WorkflowError('invalid_input', `an ${role} works for one agency: give its code or name (agency)`);
    const match = data.agencies.resolve(agencyText);
    if (match.kind === 'ambiguous')
      throw new WorkflowError('invalid_input', `agency "${agencyText}" may mean ${match.candidates.map((a) => `${a.code} (${a.name})`).join(', ')}; use a code`);
    if (match.kind === 'unknown') throw new WorkflowError('invalid_input', `agency: no agency is called "${agencyText}"; use a code from data/agencies.json such as so-yte`);
    agency = match.agency.code;
  } else if (agencyText) {
    throw new WorkflowError('invalid_input', `${role === 'admin' ? 'an admin' : 'an editor'} works for all agencies: leave agency out`);
  }
  return { name, role, ...(agency ? { agency } : {}) };
}

/** Creates an account and its first API token (the only time the token is shown). Errors are WorkflowError 'invalid_input'. */
export async function createAccountWithToken(
  store: BackofficeStore,
  data: ProvinceData,
  input: NewAccountInput,
  now: number,
): Promise<{ account: Account; token: string }> {
  const account = await store.createAccount(validateAccountInput(data, input), now);
  const token = await store.issueApiToken(account.id, now);
  return { account, token };
}

/** The store's link limits from data/policy.json `linking`. */
export function linkLimits(linking: Policy['linking']): LinkAttempt['limits'] {
  return {
    triesPerCode: linking.triesPerCode,
    failureWindowMs: linking.failureWindowMinutes * 60_000,
    perIdentity: linking.perIdentity,
    perAddress: linking.perAddress,
    firstDelayMs: linking.firstDelaySeconds * 1000,
    maxDelayMs: linking.maxDelayMinutes * 60_000,
    alertOverall: linking.alertOverall,
  };
}

/** A wait as a person reads it: "45 giây", "3 phút" (rounded up: trying earlier is refused again). */
export function waitVi(ms: number): string {
  const seconds = Math.max(1, Math.ceil(ms / 1000));
  return seconds < 60 ? `${seconds} giây` : `${Math.ceil(seconds / 60)} phút`;
}

/** What to tell the admins when wrong link codes from everyone reach the alert threshold. */
export function linkFailuresAlertVi(failures: number, windowMinutes: number): string {
  return (
    `Cảnh báo: ${failures} lần nhập sai mã liên kết trong ${windowMinutes} phút qua, có thể có người đang dò mã. ` +
    'Cán bộ có mã đúng vẫn liên kết được; mã bị nhập sai nhiều lần tự hủy (cấp mã mới nếu cán bộ báo mã không dùng được). ' +
    'Kiểm tra nhật ký máy chủ và các tài khoản vừa được liên kết.'
  );
}

/** What to tell a person about their link code (Vietnamese: they read it). */
export function linkCodeInstructions(code: string, expiresAt: number, data: ProvinceData): string {
  return (
    `Gửi tin nhắn "LIEN KET ${code}" (hoặc "liên kết ${code}") cho bot Hỏi - Đáp trên Zalo, Messenger hoặc khung chat của cổng thông tin ` +
    `để liên kết tài khoản với tài khoản chat đó. Mã chỉ dùng được một lần, hết hạn lúc ${data.clock.formatDateTimeVi(expiresAt)}.`
  );
}

/** Who did an account action, for the log: an account id, or `cli` (someone with the database file). */
export type AccountActionBy = string;

/**
 * Deactivates an account: its API tokens, chat links and link codes stop working at once
 * (every lookup that grants access skips inactive accounts); unused link codes are dropped.
 */
export async function deactivateAccount(store: BackofficeStore, id: string, by: AccountActionBy): Promise<Account> {
  const account = await store.getAccount(id);
  if (!account) throw new WorkflowError('not_found', `no account ${id}`);
  await store.setAccountActive(id, false);
  await store.dropLinkCodes(id);
  logger.warn('account deactivated', { account: id, role: account.role, by });
  return { ...account, active: false };
}

/** Revokes every API token of an account (it keeps working in chat; `deactivate` stops everything). */
export async function revokeAccountTokens(store: BackofficeStore, id: string, by: AccountActionBy, now: number): Promise<number> {
  if (!(await store.getAccount(id))) throw new WorkflowError('not_found', `no account ${id}`);
  const revoked = await store.revokeApiTokens(id, now);
  logger.warn('account API tokens revoked', { account: id, revoked, by });
  return revoked;
}

/** Unlinks one chat identity of an account (channel and user id), or all of them. */
export async function unlinkAccount(store: BackofficeStore, id: string, by: AccountActionBy, identity?: ChatIdentity): Promise<number> {
  if (!(await store.getAccount(id))) throw new WorkflowError('not_found', `no account ${id}`);
  const removed = await store.unlinkIdentities(id, identity);
  logger.warn('chat identities unlinked from an account', { account: id, removed, ...(identity ? { channel: identity.channel } : { all: true }), by });
  return removed;
}
