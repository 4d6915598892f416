/**
 * The one place that reads a question's own words out of its stored events: the
 * `submitted` event's JSON. Stores keep each event's JSON as received, so every reader
 * (back office, overdue lists, the bot's notices) goes through here.
 */

/** An event as stored: its type and its JSON text. */
export interface EventText {
  type: string;
  body: string;
}

/** The `submitted` event's fields (an empty object when there is none or its JSON is not an object). */
export function submittedFields(events: readonly EventText[]): Record<string, unknown> {
  const submitted = events.find((e) => e.type === 'submitted');
  if (!submitted) return {};
  const parsed = JSON.parse(submitted.body) as unknown;
  return parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : {};
}

/** The question as the citizen wrote it ('' when the events have no `submitted`). */
export function questionText(events: readonly EventText[]): string {
  const text = submittedFields(events).text;
  return typeof text === 'string' ? text : '';
}
