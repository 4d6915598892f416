import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Meta webhook signature: `X-Hub-Signature-256: sha256=<hex hmac-sha256(appSecret, rawBody)>`
 * over the raw body bytes as received (Meta escapes non-ASCII as \uXXXX, so a
 * re-serialised body never matches). See the channel reference, Messenger §2.2.
 */

export interface MetaSignatureInput {
  rawBody: Buffer | string;
  appSecret: string;
}

export interface MetaVerifyInput extends MetaSignatureInput {
  /** The `X-Hub-Signature-256` header; arrays (repeated headers) are rejected. */
  header: string | readonly string[] | undefined;
}

const HEADER = /^sha256=([0-9a-fA-F]{64})$/;

/** The header value (`sha256=<hex>`) Meta would send for this body. */
export function metaSignature(input: MetaSignatureInput): string {
  return `sha256=${hmac(input).toString('hex')}`;
}

/** Constant-time check of `X-Hub-Signature-256`; false on anything missing or malformed, or without a secret. */
export function verifyMetaSignature(input: MetaVerifyInput): boolean {
  // An empty secret would let anyone sign: treat it as a configuration error, never a pass.
  if (typeof input.header !== 'string' || !input.appSecret) return false;
  const match = HEADER.exec(input.header.trim());
  if (!match) return false;
  const expected = hmac(input);
  const given = Buffer.from(match[1], 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

function hmac(input: MetaSignatureInput): Buffer {
  return createHmac('sha256', input.appSecret).update(input.rawBody).digest();
}

/**
 * The verification handshake's `hub.verify_token` against the configured one, in constant time
 * (digests of equal length, so neither the content nor the length leaks); anything but one
 * non-empty string (a repeated parameter arrives as an array) is refused.
 */
export function verifyTokenMatches(given: unknown, expected: string): boolean {
  if (typeof given !== 'string' || given === '' || !expected) return false;
  const digest = (text: string) => createHash('sha256').update(text, 'utf8').digest();
  return timingSafeEqual(digest(given), digest(expected));
}
