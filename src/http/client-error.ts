/**
 * The 4xx status an error carries when the request itself was at fault: body-parser's errors (too
 * large, not decompressible, unsupported charset or encoding, too many parameters) and a path that
 * does not decode. Anything else is the server's own failure.
 */
export function clientErrorStatus(err: unknown): number | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const { status, statusCode } = err as { status?: unknown; statusCode?: unknown };
  const code = typeof status === 'number' ? status : typeof statusCode === 'number' ? statusCode : undefined;
  return code !== undefined && code >= 400 && code < 500 ? code : undefined;
}

/**
 * What a caller is told about a request it got wrong (operators and integrators read it, in English):
 * precise for body-parser's errors, whose own messages are terse ("Bad Request") or name zlib internals.
 */
export function clientErrorMessage(err: unknown, bodyLimit?: string): string {
  const e = (typeof err === 'object' && err !== null ? err : {}) as { type?: unknown; code?: unknown; encoding?: unknown; charset?: unknown; message?: unknown };
  switch (e.type) {
    case 'entity.too.large':
      return `the body is too large${bodyLimit ? ` (at most ${bodyLimit})` : ''}`;
    case 'entity.parse.failed':
      return 'the body is not valid JSON';
    case 'encoding.unsupported':
      return `Content-Encoding "${String(e.encoding).slice(0, 40)}" is not supported: send gzip, deflate, br or no encoding`;
    case 'charset.unsupported':
      return `charset "${String(e.charset).slice(0, 40)}" is not supported: send UTF-8`;
    case 'request.aborted':
      return 'the request was aborted before its body arrived';
    case 'request.size.invalid':
      return 'the body is not as long as Content-Length says';
    case 'parameters.too.many':
      return 'too many parameters';
    default:
      break;
  }
  // zlib's errors (Z_DATA_ERROR, ERR__ERROR_FORMAT_...) and brotli's, passed on by body-parser with status 400.
  if (typeof e.code === 'string' && (e.code.startsWith('Z_') || e.code.startsWith('ERR__'))) return 'the body does not decompress as its Content-Encoding says';
  const message = typeof e.message === 'string' ? e.message : '';
  return message && message !== 'Bad Request' ? message.slice(0, 200) : 'the request cannot be read';
}
