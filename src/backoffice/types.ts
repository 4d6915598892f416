import type { Role } from '../domain/access';

/** Back office: who officers, approvers, editors and admins are, and what the workflow stores beside the ledger (the types in src/app/ports.ts). */

export const ROLES = ['officer', 'approver', 'editor', 'admin'] as const satisfies readonly Role[];
export type { Role } from '../domain/access';
export type { Account, BackofficeStore, ChatIdentity, Draft, LinkAttempt, LinkOutcome, QuestionFiling } from '../app/ports';

/** The notification key that records that a question's answer was handed to the citizen's channel. */
export const answerHandOverKey = (q: string): string => `answer-hand-over:${q}`;
