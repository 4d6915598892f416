/**
 * Who may do what in the back office. Officers work their agency's queue;
 * approvers (the head or a person the head authorized) also publish answers;
 * editors (the portal's triage desk) assign, reassign and delete by rule across
 * agencies; admins do everything, accounts included.
 */

export const ROLES = ['officer', 'approver', 'editor', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export type Action =
  | 'view' // see a question, its asker's contact included
  | 'accept'
  | 'forward'
  | 'delete'
  | 'extend'
  | 'draft'
  | 'approve' // publish an answer, or return a draft with a comment
  | 'assign' // route a question from the triage queue, or reassign it
  | 'report' // scores and Phụ biểu 02
  | 'review_held' // questions over a daily limit: release them into the ledger or discard them
  | 'manage_accounts';

export interface Actor {
  role: Role;
  agency?: string;
}

const AGENCY_ACTIONS: Record<Role, readonly Action[]> = {
  officer: ['view', 'accept', 'forward', 'delete', 'extend', 'draft'],
  approver: ['view', 'accept', 'forward', 'delete', 'extend', 'draft', 'approve'],
  editor: ['view', 'forward', 'delete', 'assign', 'report', 'review_held'],
  admin: ['view', 'accept', 'forward', 'delete', 'extend', 'draft', 'approve', 'assign', 'report', 'review_held', 'manage_accounts'],
};

/**
 * Whether `actor` may do `action` on a question currently at `agency` (undefined for
 * actions not about one question). Officers and approvers only ever act on their own
 * agency's questions; editors and admins on any.
 */
export function can(actor: Actor, action: Action, agency?: string): boolean {
  if (!AGENCY_ACTIONS[actor.role].includes(action)) return false;
  if (actor.role === 'officer' || actor.role === 'approver') {
    if (action === 'report' || action === 'manage_accounts' || action === 'assign' || action === 'review_held') return false;
    return agency !== undefined && actor.agency === agency;
  }
  return true;
}

/** The agencies whose questions an actor sees: one for officers and approvers, all (undefined) otherwise. */
export function visibleAgency(actor: Actor): string | undefined {
  return actor.role === 'officer' || actor.role === 'approver' ? actor.agency : undefined;
}
