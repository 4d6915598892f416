/**
 * The ledger store on MongoDB (mongoose), for several stateless hoidap instances
 * behind a load balancer: HOIDAP_DB=mongodb://… or mongodb+srv://… selects it.
 *
 * What it needs:
 * - A replica set (a single-node replica set is enough: `mongod --replSet rs0`, then
 *   `rs.initiate()`), or a sharded cluster, or Atlas. `commit()` writes the events,
 *   the question rows and the case rows of several questions in one multi-document
 *   transaction, which a standalone `mongod` refuses; `open()` checks this and says so.
 * - MongoDB 4.4 or later. The database named in the URI (or `hoidap`) holds four
 *   collections: events, questions, cases, counters. `open()` creates them and their
 *   indexes if missing (idempotent, so every instance may do it at start).
 * - A whole-file ledger import is one transaction: MongoDB aborts transactions that
 *   run longer than `transactionLifetimeLimitSeconds` (60 s by default), so import a
 *   very large ledger in several files, or raise that server parameter for the import.
 *
 * What is safe with several instances:
 * - `commit()`: the expected event count of each question is checked inside the
 *   transaction (ConflictError when another instance moved the question on; the
 *   ledger's `record()` retries). The event sequence is a counter document
 *   incremented inside the same transaction, so concurrent commits are serialized
 *   by MongoDB's write-conflict detection (the driver retries the loser
 *   transparently): `seq` is gapless and follows commit order, like SQLite's rowid.
 * - `allocateQuestionId()`: one counter document per year, `$max` with the highest
 *   stored number of that year then `$inc`, each atomic: two instances never
 *   receive the same number.
 * - Event keys are unique (an index), so the same ledger line or channel event can
 *   never be stored twice, whichever instance tries.
 *
 * Not covered by this adapter (today they exist only on SQLite, src/store/sqlite-*.ts):
 * conversation and dialog state, the portal (Direct Line) channel, the Zalo/Messenger
 * inbox and outbox, back-office accounts and drafts, and the deadline sweeper. With a
 * MongoDB location, src/http/server.ts keeps conversation state in memory and mounts
 * none of those, so several instances share the ledger safely but not conversations.
 */
import mongoose, { Schema, type Connection, type Model, type mongo } from 'mongoose';
import type { CaseRecord } from '../domain/cases';
import type { CaseEndReason, CaseState, QuestionState } from '../domain/lifecycle';
import { ConflictError, type LedgerStore, type QuestionUpdate, type StoredEvent } from './types';

interface EventDoc {
  seq: number;
  q: string;
  type: string;
  at: number;
  key: string;
  body: string;
  /** The `source` of a submitted event (the channel event it was filed from). */
  source?: string;
}

interface QuestionDoc {
  _id: string;
  status: string;
  agency: string | null;
  channel: string;
  submittedAt: number;
  lastEventAt: number;
  eventCount: number;
  rating: number | null;
  state: QuestionState;
}

interface CaseDoc {
  q: string;
  idx: number;
  agency: string;
  start: number;
  acceptDue: number;
  baseAnswerDue: number;
  answerDue: number;
  accepted: number | null;
  extension: { at: number; days: number; appliedDays: number } | null;
  answered: number | null;
  authorized: boolean | null;
  ended: number | null;
  endReason: string | null;
  /** answered ?? ended: null while the case is open. */
  closed: number | null;
}

interface CounterDoc {
  _id: string;
  value: number;
}

const schemaOptions = { versionKey: false, autoIndex: false, autoCreate: false, minimize: false, strict: true } as const;

const eventSchema = new Schema<EventDoc>(
  {
    seq: { type: Number, required: true },
    q: { type: String, required: true },
    type: { type: String, required: true },
    at: { type: Number, required: true },
    key: { type: String, required: true },
    body: { type: String, required: true },
    source: { type: String },
  },
  { ...schemaOptions, collection: 'events' },
);
eventSchema.index({ seq: 1 }, { unique: true, name: 'events_by_seq' });
eventSchema.index({ key: 1 }, { unique: true, name: 'events_by_key' });
eventSchema.index({ q: 1, seq: 1 }, { name: 'events_by_question' });
// Officers' forwards teach the router: distinct questions with a forwarded event.
eventSchema.index({ type: 1, q: 1 }, { name: 'events_by_type' });
// A question filed from a channel event carries the event's key: replaying the event never files it twice.
eventSchema.index({ source: 1 }, { name: 'events_submitted_source', partialFilterExpression: { type: 'submitted' } });

const questionSchema = new Schema<QuestionDoc>(
  {
    _id: { type: String, required: true },
    status: { type: String, required: true },
    agency: { type: String, default: null },
    channel: { type: String, required: true },
    submittedAt: { type: Number, required: true },
    lastEventAt: { type: Number, required: true },
    eventCount: { type: Number, required: true },
    rating: { type: Number, default: null },
    state: { type: Schema.Types.Mixed, required: true },
  },
  { ...schemaOptions, collection: 'questions' },
);
questionSchema.index({ agency: 1, status: 1 }, { name: 'questions_by_agency_status' });
questionSchema.index({ status: 1 }, { name: 'questions_by_status' });

const caseSchema = new Schema<CaseDoc>(
  {
    q: { type: String, required: true },
    idx: { type: Number, required: true },
    agency: { type: String, required: true },
    start: { type: Number, required: true },
    acceptDue: { type: Number, required: true },
    baseAnswerDue: { type: Number, required: true },
    answerDue: { type: Number, required: true },
    accepted: { type: Number, default: null },
    extension: { type: new Schema({ at: Number, days: Number, appliedDays: Number }, { _id: false, versionKey: false }), default: null },
    answered: { type: Number, default: null },
    authorized: { type: Boolean, default: null },
    ended: { type: Number, default: null },
    endReason: { type: String, default: null },
    closed: { type: Number, default: null },
  },
  { ...schemaOptions, collection: 'cases' },
);
caseSchema.index({ q: 1, idx: 1 }, { unique: true, name: 'cases_by_question' });
caseSchema.index({ start: 1 }, { name: 'cases_by_start' });
caseSchema.index({ agency: 1, start: 1 }, { name: 'cases_by_agency_start' });
// "Overdue for agency X at T": open cases (closed: null) by accept deadline, and cases closed after T
// (a range on closed) — both are bounded by the first two fields of this one index.
caseSchema.index({ agency: 1, closed: 1, acceptDue: 1 }, { name: 'cases_by_agency_closed_accept_due' });

const counterSchema = new Schema<CounterDoc>(
  { _id: { type: String, required: true }, value: { type: Number, required: true } },
  { ...schemaOptions, collection: 'counters' },
);

const EVENT_SEQUENCE = 'events';
const CHUNK = 1000;
const PING_TIMEOUT_MS = 5000;

const TRANSACTION: mongo.TransactionOptions = {
  readConcern: { level: 'snapshot' },
  writeConcern: { w: 'majority' },
  readPreference: 'primary',
};

function chunks<T>(items: readonly T[], size = CHUNK): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** The URI without its password, for messages. */
export function redactMongoUri(uri: string): string {
  return uri.replace(/^(mongodb(?:\+srv)?:\/\/)([^@/]*)@/, (_m, scheme: string, auth: string) => `${scheme}${auth.split(':')[0]}:***@`);
}

function isDuplicateKey(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const e = err as { code?: unknown; writeErrors?: Array<{ code?: unknown }> };
  return e.code === 11000 || (Array.isArray(e.writeErrors) && e.writeErrors.some((w) => w.code === 11000));
}

function caseDoc(q: string, idx: number, c: CaseState): CaseDoc {
  const answered = c.answered ?? null;
  const ended = c.ended ?? null;
  return {
    q,
    idx,
    agency: c.agency,
    start: c.start,
    acceptDue: c.acceptDue,
    baseAnswerDue: c.baseAnswerDue,
    answerDue: c.answerDue,
    accepted: c.accepted ?? null,
    extension: c.extension ? { at: c.extension.at, days: c.extension.days, appliedDays: c.extension.appliedDays } : null,
    answered,
    authorized: c.authorized ?? null,
    ended,
    endReason: c.endReason ?? null,
    closed: answered ?? ended,
  };
}

function caseFromDoc(d: CaseDoc): CaseRecord {
  const c: CaseRecord = { q: d.q, agency: d.agency, start: d.start, acceptDue: d.acceptDue, baseAnswerDue: d.baseAnswerDue, answerDue: d.answerDue };
  if (d.accepted != null) c.accepted = d.accepted;
  if (d.extension != null) c.extension = { at: d.extension.at, days: d.extension.days ?? 0, appliedDays: d.extension.appliedDays ?? 0 };
  if (d.answered != null) c.answered = d.answered;
  if (d.authorized != null) c.authorized = d.authorized;
  if (d.ended != null) c.ended = d.ended;
  if (d.endReason != null) c.endReason = d.endReason as CaseEndReason;
  return c;
}

function storedFromDoc(d: Pick<EventDoc, 'q' | 'key' | 'type' | 'at' | 'body'>): StoredEvent {
  return { q: d.q, key: d.key, type: d.type as StoredEvent['type'], at: d.at, body: d.body };
}

function textOf(body: string): string {
  return String((JSON.parse(body) as { text?: unknown }).text ?? '');
}

/** The `source` of a submitted event's body, if it has one. */
function sourceOf(event: StoredEvent): string | undefined {
  if (event.type !== 'submitted') return undefined;
  try {
    const source = (JSON.parse(event.body) as { source?: unknown }).source;
    return typeof source === 'string' ? source : undefined;
  } catch {
    return undefined;
  }
}

/** The ledger store on MongoDB; see the top of this file for what it needs. Open it with `MongoLedgerStore.open(uri)`. */
export class MongoLedgerStore implements LedgerStore {
  readonly kind = 'mongodb';
  private readonly Event: Model<EventDoc>;
  private readonly Question: Model<QuestionDoc>;
  private readonly Case: Model<CaseDoc>;
  private readonly Counter: Model<CounterDoc>;

  private constructor(readonly connection: Connection) {
    this.Event = connection.model<EventDoc>('Event', eventSchema);
    this.Question = connection.model<QuestionDoc>('Question', questionSchema);
    this.Case = connection.model<CaseDoc>('Case', caseSchema);
    this.Counter = connection.model<CounterDoc>('Counter', counterSchema);
  }

  /**
   * Connects (a dedicated connection, not mongoose's global one), checks that the
   * server can run transactions, and creates the collections and indexes if missing.
   * Fails with a clear message when the server cannot be reached within the URI's
   * serverSelectionTimeoutMS (30 s by default).
   */
  static async open(uri: string): Promise<MongoLedgerStore> {
    const where = redactMongoUri(uri);
    let connection: Connection;
    try {
      connection = mongoose.createConnection(uri, { bufferCommands: false, autoIndex: false, autoCreate: false });
    } catch (err) {
      throw new Error(`MongoDB at ${where}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    }
    try {
      await connection.asPromise();
    } catch (err) {
      await connection.destroy().catch(() => undefined);
      throw new Error(`MongoDB at ${where}: cannot connect (${err instanceof Error ? err.message : String(err)})`, { cause: err });
    }
    const store = new MongoLedgerStore(connection);
    try {
      await store.requireTransactions(where);
      await store.ensureSchema();
    } catch (err) {
      await connection.destroy().catch(() => undefined);
      throw err;
    }
    return store;
  }

  private get db() {
    const db = this.connection.db;
    if (!db) throw new Error('MongoDB connection is not open');
    return db;
  }

  /** Multi-document transactions need a replica set member or mongos; a standalone server refuses them at the first commit. */
  private async requireTransactions(where: string): Promise<void> {
    const admin = this.db.admin();
    const hello = (await admin.command({ hello: 1 }).catch(() => admin.command({ isMaster: 1 }))) as { setName?: string; msg?: string };
    if (!hello.setName && hello.msg !== 'isdbgrid')
      throw new Error(
        `MongoDB at ${where} is a standalone server: hoidap needs a replica set (a single-node one is enough: start mongod with --replSet rs0 and run rs.initiate()) or a sharded cluster, for multi-document transactions`,
      );
  }

  private async ensureSchema(): Promise<void> {
    const collections: Array<[string, Schema]> = [
      ['events', eventSchema as Schema],
      ['questions', questionSchema as Schema],
      ['cases', caseSchema as Schema],
      ['counters', counterSchema as Schema],
    ];
    const existing = new Set((await this.db.listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name));
    for (const [name, schema] of collections) {
      if (!existing.has(name)) {
        try {
          await this.db.createCollection(name);
        } catch (err) {
          // Another instance created it meanwhile (NamespaceExists).
          if ((err as { code?: unknown }).code !== 48) throw err;
        }
      }
      const specs = schema.indexes().map(([key, options]) => ({ ...options, key }) as mongo.IndexDescription);
      if (specs.length > 0) await this.db.collection(name).createIndexes(specs);
    }
  }

  async loadQuestions(ids: readonly string[]): Promise<Map<string, QuestionState>> {
    const found = new Map<string, QuestionState>();
    for (const part of chunks([...new Set(ids)])) {
      const docs = await this.Question.find({ _id: { $in: part } }, { state: 1 }).lean<Array<Pick<QuestionDoc, '_id' | 'state'>>>();
      for (const doc of docs) found.set(doc._id, doc.state);
    }
    return found;
  }

  async existingEventKeys(keys: readonly string[]): Promise<Set<string>> {
    const found = new Set<string>();
    for (const part of chunks([...new Set(keys)])) {
      const docs = await this.Event.find({ key: { $in: part } }, { key: 1, _id: 0 }).lean<Array<Pick<EventDoc, 'key'>>>();
      for (const doc of docs) found.add(doc.key);
    }
    return found;
  }

  async commit(updates: readonly QuestionUpdate[]): Promise<void> {
    if (updates.length === 0) return;
    const events = updates.flatMap((u) => u.events);
    // Array.prototype.sort is stable: events without an order keep their batch order.
    if (events.some((e) => e.order !== undefined)) events.sort((a, b) => (a.order ?? 0) - (b.order ?? 0));
    const eventDocs = events.map((e) => {
      const source = sourceOf(e);
      return { q: e.q, type: e.type, at: e.at, key: e.key, body: e.body, ...(source === undefined ? {} : { source }) };
    });
    const session = await this.connection.startSession();
    try {
      // withTransaction retries the whole function on transient errors (a write conflict with another
      // instance's commit); a ConflictError aborts the transaction and is rethrown as it is.
      await session.withTransaction(() => this.write(session, updates, eventDocs), TRANSACTION);
    } finally {
      await session.endSession();
    }
  }

  private async write(session: mongo.ClientSession, updates: readonly QuestionUpdate[], eventDocs: Array<Omit<EventDoc, 'seq'>>): Promise<void> {
    // The sequence counter first: concurrent commits conflict here, before doing any other work.
    let firstSeq = 0;
    if (eventDocs.length > 0) {
      const counter = await this.Counter.findOneAndUpdate(
        { _id: EVENT_SEQUENCE },
        { $inc: { value: eventDocs.length } },
        { upsert: true, returnDocument: 'after', session },
      ).lean<CounterDoc>();
      if (!counter) throw new Error('MongoDB: the event sequence counter was not returned');
      firstSeq = counter.value - eventDocs.length + 1;
    }

    const ids = [...new Set(updates.map((u) => u.state.id))];
    const current = new Map<string, number>();
    for (const part of chunks(ids)) {
      const docs = await this.Question.find({ _id: { $in: part } }, { eventCount: 1 }).session(session).lean<Array<Pick<QuestionDoc, '_id' | 'eventCount'>>>();
      for (const doc of docs) current.set(doc._id, doc.eventCount);
    }

    const questionOps: Array<Parameters<Model<QuestionDoc>['bulkWrite']>[0][number]> = [];
    let conditionalUpdates = 0;
    const caseOps: Array<Parameters<Model<CaseDoc>['bulkWrite']>[0][number]> = [];
    for (const update of updates) {
      const { state } = update;
      const count = current.get(state.id);
      if ((count ?? 0) !== update.expectedEventCount) throw new ConflictError(state.id);
      const fields = {
        status: state.status,
        agency: state.agency ?? null,
        lastEventAt: state.lastEventAt,
        eventCount: state.eventCount,
        rating: state.rating ?? null,
        // Stored as plain JSON, exactly what SQLite keeps: no undefined fields turned into nulls.
        state: JSON.parse(JSON.stringify(state)) as QuestionState,
      };
      if (count === undefined) {
        questionOps.push({ insertOne: { document: { _id: state.id, channel: state.channel, submittedAt: state.submittedAt, ...fields } } });
      } else {
        questionOps.push({ updateOne: { filter: { _id: state.id, eventCount: count }, update: { $set: fields } } });
        conditionalUpdates += 1;
      }
      current.set(state.id, state.eventCount);
      state.cases.forEach((c, idx) => {
        caseOps.push({ replaceOne: { filter: { q: state.id, idx }, replacement: caseDoc(state.id, idx, c), upsert: true } });
      });
    }

    try {
      const result = await this.Question.bulkWrite(questionOps, { session, ordered: true });
      // Inside the transaction's snapshot this cannot miss (another writer would have caused a write conflict); kept as a guard.
      if (result.matchedCount !== conditionalUpdates) throw new ConflictError(ids.join(', '));
    } catch (err) {
      if (isDuplicateKey(err)) throw new ConflictError(ids.join(', '));
      throw err;
    }
    if (caseOps.length > 0) await this.Case.bulkWrite(caseOps, { session, ordered: true });
    for (const part of chunks(eventDocs.map((doc, i) => ({ ...doc, seq: firstSeq + i })))) {
      await this.Event.insertMany(part, { session, ordered: true, lean: true });
    }
  }

  async *events(): AsyncIterable<StoredEvent> {
    const cursor = this.Event.find({}, { q: 1, key: 1, type: 1, at: 1, body: 1, _id: 0 })
      .sort({ seq: 1 })
      .batchSize(CHUNK)
      .lean<EventDoc[]>()
      .cursor();
    try {
      for await (const doc of cursor) yield storedFromDoc(doc as EventDoc);
    } finally {
      await cursor.close();
    }
  }

  async questionEvents(q: string): Promise<StoredEvent[]> {
    const docs = await this.Event.find({ q }, { q: 1, key: 1, type: 1, at: 1, body: 1, _id: 0 }).sort({ seq: 1 }).lean<EventDoc[]>();
    return docs.map(storedFromDoc);
  }

  async casesStartingBetween(start: number, end: number): Promise<CaseRecord[]> {
    const docs = await this.Case.find({ start: { $gte: start, $lte: end } }).sort({ start: 1 }).lean<CaseDoc[]>();
    return docs.map(caseFromDoc);
  }

  async overdueCandidates(agency: string, at: number): Promise<CaseRecord[]> {
    const [open, closedLater] = await Promise.all([
      this.Case.find({ agency, closed: null, acceptDue: { $lt: at }, start: { $lte: at } }).lean<CaseDoc[]>(),
      this.Case.find({ agency, closed: { $gt: at }, acceptDue: { $lt: at }, start: { $lte: at } }).lean<CaseDoc[]>(),
    ]);
    return [...open, ...closedLater].map(caseFromDoc);
  }

  async allocateQuestionId(year: number): Promise<string> {
    const prefix = `HD-${year}-`;
    // Imported ledgers may already hold numbers of this year: never hand one out twice.
    const highest = await this.Question.findOne({ _id: { $regex: `^HD-${year}-\\d{6}$` } }, { _id: 1 })
      .sort({ _id: -1 })
      .lean<Pick<QuestionDoc, '_id'>>();
    const imported = highest ? Number(highest._id.slice(-6)) : 0;
    // Two atomic steps, safe with several instances: the counter is raised to the highest stored number, then incremented.
    await this.Counter.updateOne({ _id: prefix }, { $max: { value: imported } }, { upsert: true });
    const counter = await this.Counter.findOneAndUpdate({ _id: prefix }, { $inc: { value: 1 } }, { upsert: true, returnDocument: 'after' }).lean<CounterDoc>();
    if (!counter) throw new Error(`MongoDB: the ticket counter ${prefix} was not returned`);
    return `${prefix}${String(counter.value).padStart(6, '0')}`;
  }

  /** Submitted and answered bodies of these questions, by question, in stored order. */
  private async bodies(ids: readonly string[], types: readonly string[]): Promise<Map<string, Array<Pick<EventDoc, 'type' | 'body'>>>> {
    const byQuestion = new Map<string, Array<Pick<EventDoc, 'type' | 'body'>>>();
    for (const part of chunks(ids)) {
      const docs = await this.Event.find({ q: { $in: part }, type: { $in: [...types] } }, { q: 1, type: 1, body: 1, _id: 0 })
        .sort({ q: 1, seq: 1 })
        .lean<Array<Pick<EventDoc, 'q' | 'type' | 'body'>>>();
      for (const doc of docs) {
        const list = byQuestion.get(doc.q) ?? [];
        list.push(doc);
        byQuestion.set(doc.q, list);
      }
    }
    return byQuestion;
  }

  async answeredQuestions(): Promise<Array<{ q: string; agency: string; question: string; answer: string }>> {
    const questions = await this.Question.find({ status: 'answered' }, { agency: 1 }).lean<Array<Pick<QuestionDoc, '_id' | 'agency'>>>();
    const bodies = await this.bodies(
      questions.map((q) => q._id),
      ['submitted', 'answered'],
    );
    const out: Array<{ q: string; agency: string; question: string; answer: string }> = [];
    for (const question of questions) {
      const events = bodies.get(question._id) ?? [];
      for (const asked of events.filter((e) => e.type === 'submitted'))
        for (const answered of events.filter((e) => e.type === 'answered'))
          out.push({ q: question._id, agency: question.agency as string, question: textOf(asked.body), answer: textOf(answered.body) });
    }
    return out;
  }

  async questionFromSource(source: string): Promise<string | undefined> {
    const doc = await this.Event.findOne({ type: 'submitted', source }, { q: 1, _id: 0 }).lean<Pick<EventDoc, 'q'>>();
    return doc?.q;
  }

  async routingCorrections(): Promise<Array<{ q: string; text: string; agency: string }>> {
    const forwarded = (await this.Event.distinct('q', { type: 'forwarded' })) as string[];
    const out: Array<{ q: string; text: string; agency: string }> = [];
    for (const part of chunks(forwarded)) {
      const questions = await this.Question.find({ _id: { $in: part }, status: { $in: ['accepted', 'answered'] } }, { agency: 1 }).lean<
        Array<Pick<QuestionDoc, '_id' | 'agency'>>
      >();
      const bodies = await this.bodies(
        questions.map((q) => q._id),
        ['submitted'],
      );
      for (const question of questions)
        for (const submitted of bodies.get(question._id) ?? []) out.push({ q: question._id, agency: question.agency as string, text: textOf(submitted.body) });
    }
    return out;
  }

  async counts(): Promise<{ questions: number; events: number; cases: number }> {
    const [questions, events, cases] = await Promise.all([this.Question.countDocuments({}), this.Event.countDocuments({}), this.Case.countDocuments({})]);
    return { questions, events, cases };
  }

  async ping(): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    try {
      const answer = this.db.admin().command({ ping: 1 });
      const timeout = new Promise<never>((_resolve, reject) => {
        timer = setTimeout(() => reject(new Error('MongoDB ping timed out')), PING_TIMEOUT_MS);
      });
      answer.catch(() => undefined);
      const reply = (await Promise.race([answer, timeout])) as { ok?: unknown };
      return reply.ok === 1;
    } catch {
      return false;
    } finally {
      if (timer) clearTimeout(timer);
    }
  }

  async close(): Promise<void> {
    // destroy(): also drops the connection from mongoose's list; this store never reopens it.
    await this.connection.destroy();
  }
}
