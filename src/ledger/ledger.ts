import { createHash } from 'node:crypto';
import type { ProvinceData } from '../config/data';
import { eventInstant, parseEvent, parseLedgerLine, type LedgerEvent } from '../domain/events';
import { applyEvent, lifecycleContext, type LifecycleContext, type QuestionState } from '../domain/lifecycle';
import { ConflictError, type LedgerStore, type QuestionUpdate, type StoredEvent } from '../store/types';

export interface LineError {
  line: number;
  reason: string;
}

export interface ImportResult {
  /** Events newly stored. */
  imported: number;
  /** Events already in the store (or repeated in the file), left as they were. */
  alreadyPresent: number;
  questions: number;
  errors: LineError[];
}

export class LedgerRejection extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'LedgerRejection';
  }
}

/** The event's JSON as kept in the store and written by export: the fields as given, in their order. */
function canonicalBody(raw: unknown): string {
  return JSON.stringify(raw);
}

function eventKey(q: string, body: string): string {
  return `${q}:${createHash('sha256').update(body).digest('base64url').slice(0, 22)}`;
}

function storedEvent(event: LedgerEvent, body: string, at: number): StoredEvent {
  return { q: event.q, key: eventKey(event.q, body), type: event.type, at, body };
}

/** Writes ledger events through the domain's lifecycle, so the store only ever holds valid histories. */
export class Ledger {
  private readonly ctx: LifecycleContext;

  constructor(readonly store: LedgerStore, readonly data: ProvinceData) {
    this.ctx = lifecycleContext(data.calendar, data.rules, data.agencies);
  }

  /**
   * Imports a JSON Lines ledger. The whole file is checked first; if any line is
   * invalid nothing is stored and every bad line is reported. Events already stored
   * are skipped, so importing the same file twice adds nothing.
   */
  async importLines(lines: readonly string[]): Promise<ImportResult> {
    const errors: LineError[] = [];
    const parsed: Array<{ line: number; event: LedgerEvent; body: string; at: number }> = [];
    lines.forEach((text, index) => {
      if (text.trim() === '') return;
      const result = parseLedgerLine(text);
      if (!result.ok) return void errors.push({ line: index + 1, reason: result.reason });
      const body = canonicalBody(JSON.parse(text));
      parsed.push({ line: index + 1, event: result.event, body, at: eventInstant(result.event) });
    });

    const ids = [...new Set(parsed.map((p) => p.event.q))];
    const states = await this.store.loadQuestions(ids);
    const stored = await this.store.existingEventKeys(parsed.map((p) => eventKey(p.event.q, p.body)));
    const startCounts = new Map([...states].map(([q, s]) => [q, s.eventCount]));
    const pending = new Map<string, StoredEvent[]>();
    const seenInFile = new Set<string>();
    let alreadyPresent = 0;

    for (const item of parsed) {
      const key = eventKey(item.event.q, item.body);
      if (stored.has(key) || seenInFile.has(key)) {
        alreadyPresent += 1;
        continue;
      }
      const applied = applyEvent(states.get(item.event.q), item.event, item.at, this.ctx);
      if (!applied.ok) {
        errors.push({ line: item.line, reason: applied.reason });
        continue;
      }
      seenInFile.add(key);
      states.set(item.event.q, applied.state);
      const list = pending.get(item.event.q) ?? [];
      list.push({ ...storedEvent(item.event, item.body, item.at), order: item.line });
      pending.set(item.event.q, list);
    }

    errors.sort((a, b) => a.line - b.line);
    if (errors.length > 0) return { imported: 0, alreadyPresent: 0, questions: 0, errors };
    const updates: QuestionUpdate[] = [...pending].map(([q, events]) => ({
      state: states.get(q) as QuestionState,
      expectedEventCount: startCounts.get(q) ?? 0,
      events,
    }));
    await this.store.commit(updates);
    return { imported: updates.reduce((n, u) => n + u.events.length, 0), alreadyPresent, questions: updates.length, errors };
  }

  /** Records one live event (the bot, an officer); retries when another writer moved the question on. */
  async record(raw: Record<string, unknown>, attempts = 3): Promise<QuestionState> {
    const parsed = parseEvent(raw);
    if (!parsed.ok) throw new LedgerRejection(parsed.reason);
    const body = canonicalBody(raw);
    const at = eventInstant(parsed.event);
    for (let attempt = 1; ; attempt += 1) {
      const current = (await this.store.loadQuestions([parsed.event.q])).get(parsed.event.q);
      const applied = applyEvent(current, parsed.event, at, this.ctx);
      if (!applied.ok) throw new LedgerRejection(applied.reason);
      try {
        await this.store.commit([{ state: applied.state, expectedEventCount: current?.eventCount ?? 0, events: [storedEvent(parsed.event, body, at)] }]);
        return applied.state;
      } catch (err) {
        if (!(err instanceof ConflictError) || attempt >= attempts) throw err;
      }
    }
  }

  /** The ledger as JSON Lines, in the order the events were stored. */
  async *exportLines(): AsyncIterable<string> {
    for await (const event of this.store.events()) yield event.body;
  }
}
