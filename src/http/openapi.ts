import { z } from 'zod';
import { QUESTION_ACTION_BODIES, QUESTION_ACTION_RESULTS, type QuestionActionName } from '../app/bodies';
import { ListQuestionsQuery, QuestionList } from '../app/questions/list';
import { OverdueList, OverdueQuery } from '../app/questions/overdue';
import { Appendix02Json, reportQuery } from '../app/questions/report';
import { ActionResultView, DeadlineView, DraftView, QuestionDetail, QuestionSummary, SavedDraftView } from '../app/views';
import { ROLES } from '../backoffice/types';
import { CSV_HEADERS, REPORT_FORMATS } from '../reports/appendix02';
import {
  AccountList,
  AccountsQuery,
  AccountView,
  Bodies,
  CONTENT_TYPES,
  CreatedAccount,
  DeactivatedAccount,
  DiscardedHeld,
  ErrorBody,
  HeldList,
  IdentityList,
  LimitQuery,
  LinkCodeView,
  OpenApiView,
  OutboxDecision,
  ReleasedHeld,
  RevokedTokens,
  UndeliveredList,
  UnlinkedIdentities,
  PhotoList,
} from './api-schemas';

/**
 * The OpenAPI 3.1 description of /api/v1 (test/http/authorization.test.ts checks that every
 * route is listed here; test/http/openapi.test.ts calls each one and checks the answers against
 * it). Generated from the zod schemas the routes use: request bodies and query parameters are
 * the ones the routes validate with, responses the views the handlers build (src/app/views.ts,
 * src/app/questions/*, src/http/api-schemas.ts). `x-roles` names the roles a route is open to;
 * officers and approvers are further limited to their own agency's questions.
 */

type Json = Record<string, unknown>;

/** The response schemas, named: each is a component, and the routes refer to it. */
const COMPONENTS: Record<string, z.ZodType> = {
  Error: ErrorBody,
  OpenApi: OpenApiView,
  Account: AccountView,
  AccountList,
  CreatedAccount,
  LinkCode: LinkCodeView,
  DeactivatedAccount,
  RevokedTokens,
  UnlinkedIdentities,
  IdentityList,
  Deadlines: DeadlineView,
  Draft: DraftView,
  SavedDraft: SavedDraftView,
  QuestionSummary,
  QuestionList,
  QuestionDetail,
  ActionResult: ActionResultView,
  ExtendResult: QUESTION_ACTION_RESULTS.extend,
  DraftResult: QUESTION_ACTION_RESULTS.draft,
  ApproveResult: QUESTION_ACTION_RESULTS.approve,
  ReturnResult: QUESTION_ACTION_RESULTS.return,
  OverdueList,
  Appendix02: Appendix02Json,
  HeldList,
  ReleasedHeld,
  DiscardedHeld,
  UndeliveredList,
  OutboxDecision,
  PhotoList,
};

const ReportQuery = reportQuery(REPORT_FORMATS, CSV_HEADERS);

/** Zod's bounds of a safe integer say nothing a reader needs. */
function tidy(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(tidy);
  if (typeof node !== 'object' || node === null) return node;
  const out: Json = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === '$schema' || key === '$id') continue;
    if ((key === 'minimum' && value === Number.MIN_SAFE_INTEGER) || (key === 'maximum' && value === Number.MAX_SAFE_INTEGER)) continue;
    out[key] = tidy(value);
  }
  return out;
}

function componentSchemas(): { schemas: Json; ref: (schema: z.ZodType) => Json } {
  const registry = z.registry<{ id: string }>();
  for (const [id, schema] of Object.entries(COMPONENTS)) registry.add(schema, { id });
  const { schemas } = z.toJSONSchema(registry, { io: 'output', uri: (id) => `#/components/schemas/${id}` });
  const ref = (schema: z.ZodType): Json => {
    const id = registry.get(schema)?.id;
    if (!id) throw new Error('openapi: a response schema is not among the components');
    return { $ref: `#/components/schemas/${id}` };
  };
  return { schemas: tidy(schemas) as Json, ref };
}

/** A request body's schema as JSON Schema (OpenAPI 3.1 uses JSON Schema 2020-12 as is). */
function inputSchema(schema: z.ZodType): Json {
  return tidy(z.toJSONSchema(schema, { io: 'input' })) as Json;
}

/** A use case's body as JSON Schema. */
export function bodySchema(name: QuestionActionName): Json {
  return inputSchema(QUESTION_ACTION_BODIES[name]);
}

/** A query schema as OpenAPI parameters: one per field, its description beside its schema. */
function queryParameters(schema: z.ZodObject, required: readonly string[] = []): Json[] {
  const { properties = {} } = inputSchema(schema) as { properties?: Record<string, Json> };
  return Object.entries(properties).map(([name, { description, ...fieldSchema }]) => ({
    name,
    in: 'query',
    ...(required.includes(name) ? { required: true } : {}),
    ...(description !== undefined ? { description } : {}),
    schema: fieldSchema,
  }));
}

function requestBody(schema: z.ZodType): Json {
  const body = inputSchema(schema);
  const required = Array.isArray(body.required) && body.required.length > 0;
  return { required, content: { 'application/json': { schema: body } } };
}

const AGENCY_ROLES = ['officer', 'approver', 'admin'];
const ERROR_RESPONSES = { 400: 'BadRequest', 401: 'Unauthorized', 403: 'Forbidden', 404: 'NotFound', 409: 'Conflict', 500: 'InternalError' } as const;

/** The error answers a route can give (each `{error, code, message}`): 401 and 500 on every route behind a token. */
function errors(...statuses: Array<400 | 403 | 404 | 409>): Json {
  const all: Array<keyof typeof ERROR_RESPONSES> = [...statuses, 401, 500];
  return Object.fromEntries(all.sort((a, b) => a - b).map((status) => [String(status), { $ref: `#/components/responses/${ERROR_RESPONSES[status]}` }]));
}
const QUESTION_ERRORS = errors(400, 403, 404, 409);

const questionParam = { name: 'q', in: 'path', required: true, description: 'question id, e.g. HD-2023-000123', schema: { type: 'string' } };
const idParam = (schema: Json, description?: string) => ({ name: 'id', in: 'path', required: true, ...(description ? { description } : {}), schema });

export function openApiDocument(): Json {
  const { schemas, ref } = componentSchemas();
  const json = (schema: z.ZodType, description: string) => ({ description, content: { 'application/json': { schema: ref(schema) } } });

  const action = (summary: string, roles: readonly string[], name: QuestionActionName, description: string): Json => ({
    post: {
      summary,
      description,
      'x-roles': roles,
      parameters: [questionParam],
      requestBody: requestBody(QUESTION_ACTION_BODIES[name]),
      responses: { '200': json(QUESTION_ACTION_RESULTS[name], 'done; the ledger event as recorded and the new state'), ...QUESTION_ERRORS },
    },
  });

  /** An admin's decision on an undelivered Zalo/Messenger message. */
  const outboxDecision = (summary: string, description: string): Json => ({
    post: {
      summary,
      description,
      'x-roles': ['admin'],
      parameters: [idParam({ type: 'integer', minimum: 1 })],
      requestBody: { ...requestBody(Bodies.settle), required: false },
      responses: { '200': json(OutboxDecision, 'the decision is recorded'), ...errors(400, 403, 404, 409) },
    },
  });

  /** POST /accounts/{id}/...: admins only, a JSON body (empty unless said), 200 with what changed. */
  const accountAction = (summary: string, result: z.ZodType, body: z.ZodType = Bodies.empty): Json => ({
    post: {
      summary,
      'x-roles': ['admin'],
      parameters: [idParam({ type: 'string' })],
      requestBody: { ...requestBody(body), required: false },
      responses: { '200': json(result, 'done'), ...errors(400, 403, 404) },
    },
  });

  /** POST /held-questions/{id}/release|discard: editors and admins; 409 when someone decided it already. */
  const heldDecision = (summary: string, result: z.ZodType): Json => ({
    post: {
      summary,
      'x-roles': ['editor', 'admin'],
      parameters: [idParam({ type: 'integer' })],
      requestBody: { ...requestBody(Bodies.empty), required: false },
      responses: { '200': json(result, 'decided'), ...errors(400, 403, 404, 409) },
    },
  });

  const binary = { type: 'string', contentMediaType: 'application/octet-stream' };
  const mediaType = (format: keyof typeof CONTENT_TYPES) => CONTENT_TYPES[format].split(';')[0];

  return {
    openapi: '3.1.0',
    info: {
      title: 'hoidap back office API',
      version: '1.0.0',
      description:
        'Questions of the provincial portal’s Q&A service (Hỏi - Đáp) for agency officers, approvers, the portal’s editors and admins. ' +
        'Authenticate with a per-account token: `Authorization: Bearer <token>` (created with `npx hoidap account create` or POST /accounts). ' +
        'Officers and approvers see and act on their own agency’s questions only. Citizen text in responses is plain text: escape it wherever it is displayed. ' +
        'Naming: every field name in requests, responses and query parameters is camelCase (`workingDaysOverdue`, `submittedAt`), as in the CLI’s JSON; ' +
        'values that are codes (statuses, roles, error codes, delete reasons) are lower-case words joined by `_`. ' +
        'Errors are `{"error": "...", "code": "unauthorized|forbidden|not_found|invalid_state|invalid_input|internal", "message": "..."}`: `error` says precisely what went wrong (English, for operators), `message` is the Vietnamese sentence to show a person.',
    },
    servers: [{ url: '/api/v1' }],
    security: [{ bearerAuth: [] }],
    paths: {
      '/openapi.json': {
        get: { summary: 'this description', security: [], 'x-roles': ['public'], responses: { '200': json(OpenApiView, 'the OpenAPI document') } },
      },
      '/questions': {
        get: {
          summary: 'questions by agency, status, overdue and period',
          description: 'Officers and approvers always get their own agency’s questions, whatever `agency` says. The most recently submitted first.',
          'x-roles': ROLES,
          parameters: queryParameters(ListQuestionsQuery),
          responses: { '200': json(QuestionList, 'a page of questions'), ...errors(400) },
        },
      },
      '/questions/{q}': {
        get: {
          summary: 'one question: events, deadlines, latest draft, routing suggestion; the asker’s contact for those who may view it',
          'x-roles': ROLES,
          parameters: [questionParam],
          responses: { '200': json(QuestionDetail, 'the question'), ...errors(403, 404) },
        },
      },
      '/questions/{q}/photos': {
        get: {
          summary: 'the photos the citizen sent with the question (never published): number, type, size, channel, time and URL of each; for those who may view the question',
          'x-roles': ROLES,
          parameters: [questionParam],
          responses: { '200': json(PhotoList, 'the photos, in the order they were filed'), ...errors(403, 404) },
        },
      },
      '/questions/{q}/photos/{n}': {
        get: {
          summary: 'one photo of the question, as the citizen sent it (image/jpeg, image/png or image/webp); for those who may view the question',
          'x-roles': ROLES,
          parameters: [questionParam, { name: 'n', in: 'path', required: true, description: 'the photo number, from 1', schema: { type: 'integer', minimum: 1 } }],
          responses: { '200': { description: 'the photo', content: Object.fromEntries(['image/jpeg', 'image/png', 'image/webp'].map((type) => [type, { schema: { type: 'string', contentMediaType: type } }])) }, ...errors(400, 403, 404) },
        },
      },
      '/questions/{q}/accept': action('accept (tiếp nhận)', AGENCY_ROLES, 'accept', 'The question’s agency takes it in. No body (or `{}`).'),
      '/questions/{q}/forward': action('forward (chuyển) to another agency', ['officer', 'approver', 'editor', 'admin'], 'forward', 'Ends the case at the current agency and starts one at the other agency.'),
      '/questions/{q}/delete': action('delete (xóa) by rule', ['officer', 'approver', 'editor', 'admin'], 'delete', 'Removes the question from the agency’s queue.'),
      '/questions/{q}/extend': action('extend (gia hạn) the answer deadline, once', AGENCY_ROLES, 'extend', 'Once per case, before the answer deadline passes.'),
      '/questions/{q}/draft': action(
        'draft an answer (goes to the agency’s approvers)',
        AGENCY_ROLES,
        'draft',
        'A pending draft replaces any earlier pending one; every approver of the agency is told, in chat (buttons "Xem", "Duyệt", "Trả lại") where linked, otherwise by e-mail when the account has an address.',
      ),
      '/questions/{q}/approve': action(
        'approve and publish the answer',
        ['approver', 'admin'],
        'approve',
        'Publishes the latest pending draft, or the given text (the draft as the approver edited it, recorded as approved with edits), as an authorized answer and sends it to the citizen.',
      ),
      '/questions/{q}/return': action('return the pending draft with a comment', ['approver', 'admin'], 'return', 'The draft’s author is told in chat.'),
      '/questions/{q}/assign': action(
        'assign or reassign (editors)',
        ['editor', 'admin'],
        'assign',
        'A question not yet at an agency is assigned; one at an agency (the triage desk or any other) is forwarded from it.',
      ),
      '/reports/appendix02': {
        get: {
          summary: 'Phụ biểu 02 for a period',
          'x-roles': ['editor', 'admin'],
          parameters: queryParameters(ReportQuery, ['from', 'to']),
          responses: {
            '200': {
              description: 'the table and its summary paragraph',
              content: {
                [mediaType('json')]: { schema: ref(Appendix02Json) },
                [mediaType('csv')]: { schema: { type: 'string' } },
                [mediaType('md')]: { schema: { type: 'string' } },
                [mediaType('xlsx')]: { schema: binary },
                [mediaType('docx')]: { schema: binary },
              },
            },
            ...errors(400, 403),
          },
        },
      },
      '/overdue': {
        get: {
          summary: 'overdue questions at an instant',
          description: 'Officers and approvers always get their own agency’s; editors and admins one agency or every agency with overdue questions.',
          'x-roles': ROLES,
          parameters: queryParameters(OverdueQuery),
          responses: { '200': json(OverdueList, 'overdue questions, the most overdue first'), ...errors(400) },
        },
      },
      '/accounts': {
        get: {
          summary: 'accounts',
          'x-roles': ['admin'],
          parameters: queryParameters(AccountsQuery),
          responses: { '200': json(AccountList, 'the accounts'), ...errors(400, 403) },
        },
        post: {
          summary: 'create an account and its API token (shown once)',
          'x-roles': ['admin'],
          requestBody: requestBody(Bodies.account),
          responses: { '201': json(CreatedAccount, 'the account and its token'), ...errors(400, 403) },
        },
      },
      '/accounts/{id}/link-code': {
        post: {
          summary: 'a one-time code that links a chat identity to the account',
          description: 'The person sends "LIEN KET <code>" (or "liên kết <code>") to the bot on Zalo, Messenger or the portal chat.',
          'x-roles': ['admin', 'the account itself'],
          parameters: [idParam({ type: 'string' })],
          requestBody: { ...requestBody(Bodies.empty), required: false },
          responses: { '201': json(LinkCodeView, 'the code, shown once'), ...errors(400, 403, 404, 409) },
        },
      },
      '/accounts/{id}/deactivate': accountAction('deactivate the account: its API tokens, chat links and link codes stop working (logged)', DeactivatedAccount),
      '/accounts/{id}/revoke-tokens': accountAction('revoke every API token of the account (logged)', RevokedTokens),
      '/accounts/{id}/unlink': accountAction('unlink one chat identity of the account (body {channel, userId}), or all of them (empty body) (logged)', UnlinkedIdentities, Bodies.unlink),
      '/accounts/{id}/identities': {
        get: {
          summary: 'the chat identities linked to the account',
          'x-roles': ['admin'],
          parameters: [idParam({ type: 'string' })],
          responses: { '200': json(IdentityList, 'the identities'), ...errors(403, 404) },
        },
      },
      '/held-questions': {
        get: {
          summary: 'questions over a daily limit (data/policy.json questionsPerDay), not in the ledger, waiting for an editor',
          'x-roles': ['editor', 'admin'],
          parameters: queryParameters(LimitQuery),
          responses: { '200': json(HeldList, 'oldest first'), ...errors(400, 403, 404) },
        },
      },
      '/held-questions/{id}/release': heldDecision('file the held question in the ledger now, as from the citizen; returns its ticket', ReleasedHeld),
      '/held-questions/{id}/discard': heldDecision('discard the held question: it never enters the ledger', DiscardedHeld),
      '/outbox/undelivered': {
        get: {
          summary: 'Zalo, Messenger and notification messages that could not be delivered (dead, expired, unknown)',
          'x-roles': ['admin'],
          parameters: queryParameters(LimitQuery),
          responses: { '200': json(UndeliveredList, 'newest first'), ...errors(400, 403, 404) },
        },
      },
      '/outbox/{id}/resend': outboxDecision(
        'send an undelivered message again (dead, expired or unknown)',
        'Back in the queue with fresh attempts; reply windows still apply. For an `unknown` message (its send was cut off by a crash), check first in the channel’s own console that it did not arrive: the channels have no idempotency key.',
      ),
      '/outbox/{id}/delivered': outboxDecision(
        'record that a dead or unknown message did reach the person',
        'For a message seen in the channel’s own console or confirmed by the citizen; it leaves the undelivered list.',
      ),
    },
    components: {
      securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', description: 'a per-account API token (32 random bytes, base64url)' } },
      responses: {
        BadRequest: json(ErrorBody, 'the request is invalid; `error` says what to fix'),
        Unauthorized: json(ErrorBody, 'no token, or an invalid or revoked one'),
        Forbidden: json(ErrorBody, 'the account’s role or agency does not allow this'),
        NotFound: json(ErrorBody, 'no such question, account, held question or outbox message, or this server keeps no such queue'),
        InternalError: json(ErrorBody, 'the server’s own failure, logged; `requestId` names it for the operators'),
        Conflict: json(ErrorBody, 'the state of the question (already accepted, answered, extended...), held question or outbox message does not allow this now'),
      },
      schemas,
    },
  };
}
