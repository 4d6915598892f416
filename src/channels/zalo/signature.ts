import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * Zalo OA webhook signature: `X-ZEvent-Signature: mac=<hex sha256(appId + rawBody + timestamp + oaSecretKey)>`,
 * a plain SHA-256 over the concatenation (not an HMAC), where `timestamp` is the
 * string inside the JSON body. The raw bytes as received must be hashed: a
 * re-serialised body gives another digest. See the channel reference, Zalo §1.3.
 */

export interface ZaloSignatureInput {
  rawBody: Buffer | string;
  appId: string;
  oaSecretKey: string;
  /** The body's `timestamp`; read from `rawBody` when omitted. */
  timestamp?: string;
}

export interface ZaloVerifyInput {
  rawBody: Buffer | string;
  /** The `X-ZEvent-Signature` header; arrays (repeated headers) are rejected. */
  header: string | readonly string[] | undefined;
  appId: string;
  oaSecretKey: string;
}

const HEADER = /^mac=([0-9a-fA-F]{64})$/;

/** The header value (`mac=<hex>`) Zalo would send for this body; throws when the body has no timestamp. */
export function zaloSignature(input: ZaloSignatureInput): string {
  const timestamp = input.timestamp ?? zaloBodyTimestamp(input.rawBody);
  if (timestamp === undefined) throw new Error('the Zalo webhook body has no timestamp');
  return `mac=${digest(input.rawBody, input.appId, timestamp, input.oaSecretKey).toString('hex')}`;
}

/** Constant-time check of `X-ZEvent-Signature`; false on anything missing or malformed. */
export function verifyZaloSignature(input: ZaloVerifyInput): boolean {
  if (typeof input.header !== 'string' || !input.appId || !input.oaSecretKey) return false;
  const match = HEADER.exec(input.header.trim());
  if (!match) return false;
  const timestamp = zaloBodyTimestamp(input.rawBody);
  if (timestamp === undefined) return false;
  const expected = digest(input.rawBody, input.appId, timestamp, input.oaSecretKey);
  const given = Buffer.from(match[1], 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/**
 * The top-level `timestamp` of a webhook body, as the string Zalo sent. Zalo sends
 * it as a JSON string; a bare integer is accepted only while it is exact in a double.
 */
export function zaloBodyTimestamp(rawBody: Buffer | string): string | undefined {
  let body: unknown;
  try {
    body = JSON.parse(typeof rawBody === 'string' ? rawBody : rawBody.toString('utf8'));
  } catch {
    return undefined;
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return undefined;
  const timestamp = (body as Record<string, unknown>).timestamp;
  if (typeof timestamp === 'string' && timestamp.length > 0) return timestamp;
  if (typeof timestamp === 'number' && Number.isSafeInteger(timestamp) && timestamp >= 0) return String(timestamp);
  return undefined;
}

function digest(rawBody: Buffer | string, appId: string, timestamp: string, oaSecretKey: string): Buffer {
  // Hashing the parts in sequence equals hashing their UTF-8 concatenation, and keeps the body's raw bytes.
  return createHash('sha256').update(appId, 'utf8').update(rawBody).update(timestamp, 'utf8').update(oaSecretKey, 'utf8').digest();
}
