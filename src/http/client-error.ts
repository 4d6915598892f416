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
