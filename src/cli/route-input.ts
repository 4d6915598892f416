import { jsonShapeProblem } from '../domain/json-shape';

/** `hoidap route` input bounds, the same kind `import` has: a line is an object {"id","text"}, a level or two deep at most. */
export const MAX_ROUTE_DEPTH = 4;
/** Longer than any question the portal or the dialogs accept (2,000) with room for other tools' texts. */
export const MAX_ROUTE_TEXT = 20_000;
/** A line is refused by its length before anything reads it. */
export const MAX_ROUTE_LINE = 256 * 1024;

export type RouteLine = { ok: true; id: string | number | null; text: string } | { ok: false; id: string | number | null; error: string };

/** One stdin line of `hoidap route`: its id and text, or why it cannot be routed (`line N: ...`). */
export function parseRouteLine(line: string, lineNumber: number): RouteLine {
  const refuse = (error: string, id: string | number | null = null): RouteLine => ({ ok: false, id, error: `line ${lineNumber}: ${error}` });
  if (line.length > MAX_ROUTE_LINE) return refuse(`longer than ${MAX_ROUTE_LINE} characters`);
  const shape = jsonShapeProblem(line, MAX_ROUTE_DEPTH);
  if (shape) return refuse(shape);
  let item: unknown;
  try {
    item = JSON.parse(line);
  } catch {
    return refuse('not valid JSON');
  }
  if (!item || typeof item !== 'object' || Array.isArray(item)) return refuse('"text" must be a non-empty string');
  const { id: rawId, text } = item as { id?: unknown; text?: unknown };
  if (rawId !== undefined && rawId !== null && typeof rawId !== 'string' && typeof rawId !== 'number') return refuse('"id" must be a string or a number');
  const id = rawId ?? null;
  if (typeof text !== 'string' || text.trim() === '') return refuse('"text" must be a non-empty string', id);
  if (text.length > MAX_ROUTE_TEXT) return refuse(`"text" is longer than ${MAX_ROUTE_TEXT} characters`, id);
  return { ok: true, id, text };
}
