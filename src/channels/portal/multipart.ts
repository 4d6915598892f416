/**
 * A small reader of multipart/form-data bodies (RFC 7578) already held in memory, for the
 * Direct Line upload: Web Chat sends one `activity` part (JSON) and one part per file. The body
 * size was capped before it was read; this only splits it.
 */

export interface FormPart {
  /** The form field's name (Content-Disposition name). */
  name: string;
  filename?: string;
  /** The part's declared Content-Type (never trusted for files: see sniffPhotoType). */
  contentType?: string;
  data: Buffer;
}

/** The boundary of a multipart/form-data Content-Type, or undefined when it is not one. */
export function multipartBoundary(contentType: string | undefined): string | undefined {
  if (!contentType || !/^multipart\/form-data\s*(;|$)/i.test(contentType)) return undefined;
  const match = /;\s*boundary=(?:"([^"]{1,70})"|([^\s;"]{1,70}))/i.exec(contentType);
  return match ? (match[1] ?? match[2]) : undefined;
}

function headerParam(header: string, name: string): string | undefined {
  const match = new RegExp(`;\\s*${name}="((?:[^"\\\\]|\\\\.)*)"|;\\s*${name}=([^;\\s]+)`, 'i').exec(header);
  const value = match?.[1] ?? match?.[2];
  return value === undefined ? undefined : value.replace(/\\(.)/g, '$1');
}

/** The parts of a body, or undefined when it is not well-formed multipart with that boundary. */
export function parseMultipart(body: Buffer, boundary: string, maxParts = 20): FormPart[] | undefined {
  const delimiter = Buffer.from(`--${boundary}`);
  const parts: FormPart[] = [];
  let at = body.indexOf(delimiter);
  if (at < 0) return undefined;
  for (;;) {
    at += delimiter.length;
    // "--" after a delimiter closes the body.
    if (body[at] === 0x2d && body[at + 1] === 0x2d) return parts;
    if (body[at] !== 0x0d || body[at + 1] !== 0x0a) return undefined;
    at += 2;
    const headerEnd = body.indexOf('\r\n\r\n', at);
    if (headerEnd < 0) return undefined;
    const next = body.indexOf(Buffer.concat([Buffer.from('\r\n'), delimiter]), headerEnd + 4);
    if (next < 0) return undefined;
    const headers = body.subarray(at, headerEnd).toString('utf8').split('\r\n');
    let disposition = '';
    let contentType: string | undefined;
    for (const line of headers) {
      const colon = line.indexOf(':');
      if (colon < 0) continue;
      const key = line.slice(0, colon).trim().toLowerCase();
      const value = line.slice(colon + 1).trim();
      if (key === 'content-disposition') disposition = value;
      else if (key === 'content-type') contentType = value;
    }
    if (!/^form-data\s*(;|$)/i.test(disposition)) return undefined;
    const name = headerParam(disposition, 'name');
    if (name === undefined) return undefined;
    const filename = headerParam(disposition, 'filename');
    parts.push({ name, ...(filename !== undefined ? { filename } : {}), ...(contentType ? { contentType } : {}), data: body.subarray(headerEnd + 4, next) });
    if (parts.length > maxParts) return undefined;
    at = next + 2;
  }
}
