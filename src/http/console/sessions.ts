import { timingSafeEqual } from 'node:crypto';
import type { ConsoleSession } from '../../app/ports';

/**
 * The web console's sessions: the cookie carries a random id, the store (ConsoleSessionStore,
 * src/app/ports.ts) only its SHA-256. Each session has its own CSRF token, an absolute expiry,
 * and can be revoked (sign-out, one session by an admin, or every session of an account at once).
 */

export type { ConsoleSession, ConsoleSessionStore, SessionSummary, SignInMethod } from '../../app/ports';

export const DEFAULT_SESSION_TTL_MS = 8 * 3_600_000;

/** Constant-time comparison of the form's CSRF token with the session's. */
export function csrfMatches(session: ConsoleSession, sent: unknown): boolean {
  if (typeof sent !== 'string' || sent.length !== session.csrf.length) return false;
  return timingSafeEqual(Buffer.from(sent), Buffer.from(session.csrf));
}
