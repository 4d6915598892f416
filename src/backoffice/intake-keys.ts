import { createHash } from 'node:crypto';

/** The keys the daily question counters keep (QuestionIntake): computed before any adapter sees them. */

/** Keys are hashes: the counters do not keep who asked or their phone number. */
function key(kind: string, value: string): string {
  return createHash('sha256').update(`${kind}:${value}`, 'utf8').digest('hex').slice(0, 32);
}

/** A contact as counted: a phone's digits (+84 as 0), an e-mail in lower case. */
export function contactKey(contact: string): string {
  const trimmed = contact.trim().toLowerCase();
  const digits = trimmed.replace(/[\s.()+-]/g, '');
  return key('contact', /^\d+$/.test(digits) ? digits.replace(/^84/, '0') : trimmed);
}

export function identityKey(channel: string, userId: string): string {
  return key('identity', `${channel}:${userId}`);
}
