/** Back office: who officers, approvers, editors and admins are, and what the workflow stores beside the ledger (the types in src/app/ports.ts). */

export { ROLES, type Role } from '../domain/access';
export type { Account, BackofficeStore, ChatIdentity, Draft, LinkAttempt, LinkOutcome, QuestionFiling } from '../app/ports';

/** The notification key that records that a question's answer was handed to the citizen's channel. */
export { answerHandOverKey } from '../app/questions/approve';
