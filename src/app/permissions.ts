import { can, visibleAgency, type Action, type Role } from '../domain/access';
import type { QuestionState } from '../domain/lifecycle';
import { WorkflowError } from './errors';

/**
 * The one permission table's wording: which role may do what (domain/access.ts decides;
 * these are the operators' words for a refusal). The REST API, the console and the chat
 * all refuse through here.
 */

/** Who acts: an account (only id, role and agency matter; a deactivated account may do nothing). */
export interface StaffActor {
  id: string;
  role: Role;
  agency?: string;
  name?: string;
  active?: boolean;
}

export const ACTION_VERBS: Record<Action, string> = {
  view: 'view questions',
  accept: 'accept questions',
  forward: 'forward questions',
  delete: 'delete questions',
  extend: 'extend answer deadlines',
  draft: 'draft answers',
  approve: 'approve or return answers',
  assign: 'assign questions',
  report: 'read reports',
  review_held: 'release or discard held questions',
  manage_accounts: 'manage accounts',
};

export function article(role: Role): string {
  return `${/^[aeiou]/.test(role) ? 'an' : 'a'} ${role}`;
}

/** Whether the role may ever do the action (on some agency): the check made before reading a request. */
export function roleMay(role: Role, action: Action): boolean {
  return can({ role, agency: '\u0000' }, action, '\u0000');
}

/** The refusal for a role that may never do the action (e.g. an HTTP route's 403 before its body is read). */
export function roleRefusal(role: Role, action: Action): string {
  return `${article(role)} may not use this route (needs '${action}')`;
}

export function requireActive(actor: StaffActor): void {
  if (actor.active === false) throw new WorkflowError('forbidden', `account ${actor.id} is deactivated`);
}

/** The action on one question, at its current agency. */
export function authorize(actor: StaffActor, action: Action, state: QuestionState): void {
  requireActive(actor);
  if (can(actor, action, state.agency)) return;
  if (!roleMay(actor.role, action)) throw new WorkflowError('forbidden', `${article(actor.role)} may not ${ACTION_VERBS[action]}`);
  if (state.agency === undefined) throw new WorkflowError('forbidden', `question ${state.id} is not at any agency yet; only editors and admins may act on it`);
  // Says nothing of where the question is: another agency's queue is not the actor's business.
  throw new WorkflowError('forbidden', `question ${state.id} is not in ${actor.agency ?? 'your agency'}'s queue; ${article(actor.role)} acts only on their own agency's questions`);
}

/** A role-wide action (reports, accounts) that is about no particular question. */
export function authorizeRole(actor: StaffActor, action: Action): void {
  requireActive(actor);
  if (!can(actor, action)) throw new WorkflowError('forbidden', `${article(actor.role)} may not ${ACTION_VERBS[action]}`);
}

/**
 * The agency whose questions a read is limited to: an officer's or approver's own, whatever
 * they asked for; otherwise the one asked for (resolved by the caller), or all (undefined).
 */
export function readScope(actor: StaffActor, asked: () => string | undefined): string | undefined {
  requireActive(actor);
  if (!roleMay(actor.role, 'view')) throw new WorkflowError('forbidden', `${article(actor.role)} may not ${ACTION_VERBS.view}`);
  const own = visibleAgency(actor);
  if ((actor.role === 'officer' || actor.role === 'approver') && !own) throw new WorkflowError('forbidden', `${article(actor.role)} account without an agency sees no questions`);
  const agency = own ?? asked();
  if (!can(actor, 'view', agency)) throw new WorkflowError('forbidden', `${article(actor.role)} may not view ${agency}'s questions`);
  return agency;
}
