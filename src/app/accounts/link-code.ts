import { can } from '../../domain/access';
import { fill } from '../../domain/text';
import type { LinkTexts } from './link-texts';
export { LINK_SHAPE, type LinkTexts } from './link-texts';
import type { Policy } from '../../domain/policy';
import { WorkflowError } from '../errors';
import { requireActive, type StaffActor } from '../permissions';
import type { LinkAttempt } from '../ports';
import type { AccountDeps } from './ports';

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
export function waitVi(ms: number, t: LinkTexts): string {
  const seconds = Math.max(1, Math.ceil(ms / 1000));
  return seconds < 60 ? fill(t.seconds, { n: seconds }) : fill(t.minutes, { n: Math.ceil(seconds / 60) });
}

/** What to tell the admins when wrong link codes from everyone reach the alert threshold. */
export function linkFailuresAlertVi(failures: number, windowMinutes: number, t: LinkTexts): string {
  return fill(t.failuresAlert, { failures, minutes: windowMinutes });
}

/** What to tell a person about their link code (Vietnamese: they read it). */
export function linkCodeInstructions(code: string, expiresAt: number, deps: Pick<AccountDeps, 'facts' | 'link'>): string {
  return fill(deps.link.instructions, { code, expiresAt: deps.facts.clock.formatDateTimeVi(expiresAt) });
}

/**
 * A one-time code that links a chat identity to the account (sent to the bot as "liên kết ...").
 * An admin may make one for anyone, a person for their own account only; `actor` absent: the CLI.
 */
export async function createLinkCode(
  deps: AccountDeps,
  input: { id: string; ttlMs?: number },
  actor: StaffActor | undefined,
): Promise<{ account: string; code: string; expiresAt: number; instructions: string }> {
  if (actor) {
    requireActive(actor);
    // Decided before looking the account up: others' account ids are nobody else's business.
    if (!can(actor, 'manage_accounts') && actor.id !== input.id) throw new WorkflowError('forbidden', 'only an admin or the account itself may create its link code');
  }
  const account = await deps.accounts.getAccount(input.id);
  if (!account) throw new WorkflowError('not_found', `no account ${input.id}`);
  if (!account.active) throw new WorkflowError('invalid_state', `account ${input.id} is deactivated`);
  const ttl = input.ttlMs ?? deps.facts.policy.linking.codeTtlMinutes * 60_000;
  const at = deps.now();
  const code = await deps.accounts.createLinkCode(input.id, at, ttl);
  deps.log.info('link code created', { by: actor?.id ?? 'cli', account: input.id });
  return { account: input.id, code, expiresAt: at + ttl, instructions: linkCodeInstructions(code, at + ttl, deps) };
}
