/**
 * Helpers shared by the outbound channel clients (Zalo OA, Messenger): splitting
 * long texts under a channel's length limit and a POST with a hard timeout.
 */

/** How a failed send is handled by the outbox: each client maps its platform's errors to one of these. */
export type SendFailureKind = 'retryable' | 'window_closed' | 'auth' | 'permanent';

/** A transport failure: the request may or may not have reached the platform. */
export class TransportError extends Error {
  override readonly name = 'TransportError';
  constructor(
    readonly reason: 'timeout' | 'network',
    options?: { cause?: unknown },
  ) {
    super(reason === 'timeout' ? 'request timed out' : 'request failed before a response arrived', options);
  }
}

export interface JsonResponse {
  status: number;
  /** Parsed JSON body, or undefined when the body is not JSON. */
  json: unknown;
}

/**
 * POST and read the whole body within `timeoutMs` (the body read is inside the
 * timeout: a server can send headers and then stall). Never follows redirects,
 * so a token in a header or query string cannot be forwarded elsewhere.
 */
export async function postForJson(url: string, headers: Record<string, string>, body: string, timeoutMs: number): Promise<JsonResponse> {
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, timeoutMs);
  try {
    const response = await fetch(url, { method: 'POST', headers, body, signal: controller.signal, redirect: 'error' });
    const text = await response.text();
    return { status: response.status, json: parseJson(text) };
  } catch (error) {
    throw new TransportError(timedOut ? 'timeout' : 'network', { cause: error });
  } finally {
    clearTimeout(timer);
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const PARAGRAPH_BREAK = /\n\s*\n/g;
const LINE_BREAK = /\n/g;
// Sentence end: punctuation, optional closing quotes/brackets, then whitespace.
const SENTENCE_END = /[.!?…;:]["'”’»)\]]*(?=\s)/g;
const SPACE = /\s/g;

/**
 * Split `text` into parts of at most `maxLength` UTF-16 code units (a conservative
 * measure: never fewer than the characters a platform counts). Cuts at the last
 * paragraph break, line break, sentence end or space that keeps a part at least
 * half full, in that order of preference; a run without any space is cut hard,
 * but never inside a surrogate pair or before a combining mark. Whitespace at the
 * cuts is dropped; empty or whitespace-only text gives no parts.
 */
export function splitText(text: string, maxLength: number): string[] {
  if (!Number.isInteger(maxLength) || maxLength < 2) throw new RangeError('maxLength must be an integer >= 2');
  const parts: string[] = [];
  let rest = text.trim();
  while (rest.length > maxLength) {
    const cut = findCut(rest, maxLength);
    parts.push(rest.slice(0, cut).trimEnd());
    rest = rest.slice(cut).trimStart();
  }
  if (rest.length > 0) parts.push(rest);
  return parts;
}

function findCut(text: string, maxLength: number): number {
  // One code unit of look-ahead so that a space right after a full part counts.
  const window = text.slice(0, maxLength + 1);
  const minimum = Math.floor(maxLength / 2);
  for (const pattern of [PARAGRAPH_BREAK, LINE_BREAK, SENTENCE_END]) {
    const cut = lastCut(window, pattern, pattern === SENTENCE_END);
    if (cut !== undefined && cut >= minimum && cut <= maxLength) return cut;
  }
  const space = lastCut(window, SPACE, false);
  if (space !== undefined && space > 0 && space <= maxLength) return space;
  return hardCut(text, maxLength);
}

/** Index of the last match of `pattern` in `window` (its end when `afterMatch`). */
function lastCut(window: string, pattern: RegExp, afterMatch: boolean): number | undefined {
  let found: number | undefined;
  pattern.lastIndex = 0;
  for (const match of window.matchAll(pattern)) {
    const at = afterMatch ? match.index + match[0].length : match.index;
    if (at > 0) found = at;
  }
  return found;
}

function hardCut(text: string, maxLength: number): number {
  let cut = maxLength;
  while (cut > 1 && (isLowSurrogate(text.charCodeAt(cut)) || /^\p{M}/u.test(text.slice(cut, cut + 1)))) cut -= 1;
  return cut;
}

function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}
