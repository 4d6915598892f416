import { z } from 'zod';
import { QUESTION_ACTION_BODIES, type QuestionActionName } from '../app/bodies';
import { ROLES } from '../backoffice/types';
import { CSV_HEADERS, REPORT_FORMATS } from '../reports/appendix02';

/**
 * The OpenAPI 3.1 description of /api/v1 (test/http/authorization.test.ts checks that every
 * route is listed here). The request bodies of the question actions are generated from the
 * use cases' own zod schemas (src/app/bodies.ts), the ones the routes validate with.
 * `x-roles` names the roles a route is open to; officers and approvers are further
 * limited to their own agency's questions.
 */

type Json = Record<string, unknown>;

const STATUSES = ['submitted', 'assigned', 'accepted', 'answered', 'deleted'];
const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const json = (schema: Json, description: string) => ({ description, content: { 'application/json': { schema } } });

const ERRORS = {
  '400': { $ref: '#/components/responses/BadRequest' },
  '401': { $ref: '#/components/responses/Unauthorized' },
  '403': { $ref: '#/components/responses/Forbidden' },
};
const QUESTION_ERRORS = { ...ERRORS, '404': { $ref: '#/components/responses/NotFound' }, '409': { $ref: '#/components/responses/Conflict' } };

const questionParam = { name: 'q', in: 'path', required: true, description: 'question id, e.g. HD-2023-000123', schema: { type: 'string' } };

/** A use case's body as JSON Schema (OpenAPI 3.1 uses JSON Schema 2020-12 as is). */
export function bodySchema(name: QuestionActionName): Json {
  const { $schema: _dialect, ...schema } = z.toJSONSchema(QUESTION_ACTION_BODIES[name], { io: 'input' }) as Json;
  return schema;
}

function action(summary: string, roles: readonly string[], name: QuestionActionName, result: Json, description: string): Json {
  const body = bodySchema(name);
  const required = Array.isArray(body.required) && body.required.length > 0;
  return {
    post: {
      summary,
      description,
      'x-roles': roles,
      security: [{ bearerAuth: [] }],
      parameters: [questionParam],
      requestBody: { required, content: { 'application/json': { schema: body } } },
      responses: { '200': json(result, 'done; the ledger event as recorded and the new state'), ...QUESTION_ERRORS },
    },
  };
}

const AGENCY_ROLES = ['officer', 'approver', 'admin'];

/** An admin's decision on an undelivered Zalo/Messenger message. */
function outboxDecision(summary: string, description: string, status: 'pending' | 'sent'): Json {
  const note = { type: 'string', minLength: 1, description: 'what was checked, kept with the message' };
  return {
    post: {
      summary,
      description,
      'x-roles': ['admin'],
      parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'integer', minimum: 1 } }],
      requestBody: { required: false, content: { 'application/json': { schema: { type: 'object', additionalProperties: false, properties: { note } } } } },
      responses: {
        '200': json({ type: 'object', properties: { id: { type: 'integer' }, was: { type: 'string' }, status: { type: 'string', enum: [status] } } }, 'the decision is recorded'),
        ...ERRORS,
        '404': { $ref: '#/components/responses/NotFound' },
        '409': { $ref: '#/components/responses/Conflict' },
      },
    },
  };
}

/** POST /accounts/{id}/...: admins only, a JSON body (empty unless said), 200 with what changed. */
function accountAction(summary: string, properties: Record<string, unknown>, body: Record<string, unknown> = { type: 'object', additionalProperties: false }) {
  return {
    post: {
      summary,
      'x-roles': ['admin'],
      parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
      requestBody: { required: false, content: { 'application/json': { schema: body } } },
      responses: { '200': json({ type: 'object', properties }, 'done'), ...ERRORS, '404': { $ref: '#/components/responses/NotFound' } },
    },
  };
}

/** POST /held-questions/{id}/release|discard: editors and admins; 409 when someone decided it already. */
function heldDecision(summary: string) {
  return {
    post: {
      summary,
      'x-roles': ['editor', 'admin'],
      parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'integer' } }],
      responses: {
        '200': json({ type: 'object', properties: { id: { type: 'integer' }, q: { type: 'string' }, agency: { type: 'string' }, status: { type: 'string' } } }, 'decided'),
        ...ERRORS,
        '404': { $ref: '#/components/responses/NotFound' },
        '409': { $ref: '#/components/responses/Conflict' },
      },
    },
  };
}

export function openApiDocument(): Json {
  return {
    openapi: '3.1.0',
    info: {
      title: 'hoidap back office API',
      version: '1.0.0',
      description:
        'Questions of the provincial portal’s Q&A service (Hỏi - Đáp) for agency officers, approvers, the portal’s editors and admins. ' +
        'Authenticate with a per-account token: `Authorization: Bearer <token>` (created with `npx hoidap account create` or POST /accounts). ' +
        'Officers and approvers see and act on their own agency’s questions only. Citizen text in responses is plain text: escape it wherever it is displayed. ' +
        'Errors are `{"error": "...", "code": "unauthorized|forbidden|not_found|invalid_state|invalid_input|internal", "message": "..."}`: `error` says precisely what went wrong (English, for operators), `message` is the Vietnamese sentence to show a person.',
    },
    servers: [{ url: '/api/v1' }],
    security: [{ bearerAuth: [] }],
    paths: {
      '/openapi.json': {
        get: { summary: 'this description', security: [], 'x-roles': ['public'], responses: { '200': json({ type: 'object' }, 'the OpenAPI document') } },
      },
      '/questions': {
        get: {
          summary: 'questions by agency, status, overdue and period',
          description: 'Officers and approvers always get their own agency’s questions, whatever `agency` says. The most recently submitted first.',
          'x-roles': ROLES,
          parameters: [
            { name: 'agency', in: 'query', schema: { type: 'string' }, description: 'agency code or name (editors and admins; all agencies when absent)' },
            { name: 'status', in: 'query', schema: { type: 'string' }, description: `comma-separated: ${STATUSES.join(', ')}` },
            { name: 'overdue', in: 'query', schema: { type: 'string', enum: ['true', 'false'] }, description: 'only questions past a deadline now' },
            { name: 'from', in: 'query', schema: { type: 'string', format: 'date' }, description: 'submitted on or after this day (YYYY-MM-DD)' },
            { name: 'to', in: 'query', schema: { type: 'string', format: 'date' }, description: 'submitted on or before this day (YYYY-MM-DD)' },
            { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 500, default: 50 } },
            { name: 'offset', in: 'query', schema: { type: 'integer', minimum: 0, default: 0 } },
          ],
          responses: { '200': json(ref('QuestionList'), 'a page of questions'), ...ERRORS },
        },
      },
      '/questions/{q}': {
        get: {
          summary: 'one question: events, deadlines, latest draft, routing suggestion; the asker’s contact for those who may view it',
          'x-roles': ROLES,
          parameters: [questionParam],
          responses: { '200': json(ref('QuestionDetail'), 'the question'), ...QUESTION_ERRORS },
        },
      },
      '/questions/{q}/photos': {
        get: {
          summary: 'the photos the citizen sent with the question (never published): number, type, size, channel, time and URL of each; for those who may view the question',
          'x-roles': ROLES,
          parameters: [questionParam],
          responses: {
            '200': json(
              {
                type: 'object',
                required: ['q', 'photos'],
                properties: {
                  q: { type: 'string' },
                  photos: {
                    type: 'array',
                    items: {
                      type: 'object',
                      required: ['n', 'type', 'size', 'channel', 'receivedAt', 'url'],
                      properties: {
                        n: { type: 'integer', minimum: 1 },
                        type: { type: 'string', enum: ['image/jpeg', 'image/png', 'image/webp'] },
                        size: { type: 'integer' },
                        channel: { type: 'string', enum: ['portal', 'zalo', 'facebook'] },
                        receivedAt: { type: 'string', format: 'date-time' },
                        url: { type: 'string' },
                      },
                    },
                  },
                },
              },
              'the photos, in the order they were filed',
            ),
            ...QUESTION_ERRORS,
          },
        },
      },
      '/questions/{q}/photos/{n}': {
        get: {
          summary: 'one photo of the question, as the citizen sent it (image/jpeg, image/png or image/webp); for those who may view the question',
          'x-roles': ROLES,
          parameters: [questionParam, { name: 'n', in: 'path', required: true, description: 'the photo number, from 1', schema: { type: 'integer', minimum: 1 } }],
          responses: {
            '200': { description: 'the photo', content: { 'image/jpeg': {}, 'image/png': {}, 'image/webp': {} } },
            ...QUESTION_ERRORS,
          },
        },
      },
      '/questions/{q}/accept': action('accept (tiếp nhận)', AGENCY_ROLES, 'accept', ref('ActionResult'), 'The question’s agency takes it in. No body (or `{}`).'),
      '/questions/{q}/forward': action(
        'forward (chuyển) to another agency',
        ['officer', 'approver', 'editor', 'admin'],
        'forward',
        ref('ActionResult'),
        'Ends the case at the current agency and starts one at the other agency.',
      ),
      '/questions/{q}/delete': action(
        'delete (xóa) by rule',
        ['officer', 'approver', 'editor', 'admin'],
        'delete',
        ref('ActionResult'),
        'Removes the question from the agency’s queue.',
      ),
      '/questions/{q}/extend': action(
        'extend (gia hạn) the answer deadline, once',
        AGENCY_ROLES,
        'extend',
        { allOf: [ref('ActionResult'), { type: 'object', properties: { answerDue: { type: 'string', format: 'date-time' } } }] },
        'Once per case, before the answer deadline passes.',
      ),
      '/questions/{q}/draft': action(
        'draft an answer (goes to the agency’s approvers)',
        AGENCY_ROLES,
        'draft',
        {
          type: 'object',
          properties: {
            draft: ref('Draft'),
            notified: { type: 'integer', description: 'approvers told: in chat where they linked one, otherwise by e-mail' },
            reached: { type: 'array', items: { type: 'object', properties: { account: { type: 'string' }, by: { type: 'string', enum: ['chat', 'email'] } } } },
          },
        },
        'A pending draft replaces any earlier pending one; every approver of the agency is told, in chat (buttons "Xem", "Duyệt", "Trả lại") where linked, otherwise by e-mail when the account has an address.',
      ),
      '/questions/{q}/approve': action(
        'approve and publish the answer',
        ['approver', 'admin'],
        'approve',
        {
          allOf: [
            ref('ActionResult'),
            {
              type: 'object',
              properties: {
                delivered: { type: 'boolean', description: 'handed to the citizen’s chat channel' },
                edited: { type: 'boolean', description: 'the published text differs from the pending draft' },
                draft: ref('Draft'),
              },
            },
          ],
        },
        'Publishes the latest pending draft, or the given text (the draft as the approver edited it, recorded as approved with edits), as an authorized answer and sends it to the citizen.',
      ),
      '/questions/{q}/return': action(
        'return the pending draft with a comment',
        ['approver', 'admin'],
        'return',
        { type: 'object', properties: { draft: ref('Draft'), notified: { type: 'integer' } } },
        'The draft’s author is told in chat.',
      ),
      '/questions/{q}/assign': action(
        'assign or reassign (editors)',
        ['editor', 'admin'],
        'assign',
        ref('ActionResult'),
        'A question not yet at an agency is assigned; one at an agency (the triage desk or any other) is forwarded from it.',
      ),
      '/reports/appendix02': {
        get: {
          summary: 'Phụ biểu 02 for a period',
          'x-roles': ['editor', 'admin'],
          parameters: [
            { name: 'from', in: 'query', required: true, schema: { type: 'string', format: 'date' } },
            { name: 'to', in: 'query', required: true, schema: { type: 'string', format: 'date' } },
            { name: 'format', in: 'query', schema: { type: 'string', enum: REPORT_FORMATS, default: 'json' } },
            { name: 'headers', in: 'query', schema: { type: 'string', enum: CSV_HEADERS, default: 'codes' }, description: 'CSV header row: machine codes, or Vietnamese column names' },
            { name: 'reportNumber', in: 'query', schema: { type: 'string' }, description: 'docx/xlsx: the number of the report the annex is attached to (blank if absent)' },
            { name: 'reportDate', in: 'query', schema: { type: 'string', format: 'date' }, description: 'docx/xlsx: the date of that report (blank if absent)' },
          ],
          responses: {
            '200': {
              description: 'the table and its summary paragraph',
              content: {
                'application/json': { schema: { type: 'object' } },
                'text/csv': { schema: { type: 'string' } },
                'text/markdown': { schema: { type: 'string' } },
                'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': { schema: { type: 'string', contentMediaType: 'application/octet-stream' } },
                'application/vnd.openxmlformats-officedocument.wordprocessingml.document': { schema: { type: 'string', contentMediaType: 'application/octet-stream' } },
              },
            },
            ...ERRORS,
          },
        },
      },
      '/overdue': {
        get: {
          summary: 'overdue questions at an instant',
          description: 'Officers and approvers always get their own agency’s; editors and admins one agency or every agency with overdue questions.',
          'x-roles': ROLES,
          parameters: [
            { name: 'agency', in: 'query', schema: { type: 'string' }, description: 'code or name, e.g. "bao thang"' },
            { name: 'at', in: 'query', schema: { type: 'string', format: 'date-time' }, description: 'ISO 8601 with offset; now by default' },
          ],
          responses: { '200': json(ref('OverdueList'), 'overdue questions, the most overdue first'), ...ERRORS },
        },
      },
      '/accounts': {
        get: {
          summary: 'accounts',
          'x-roles': ['admin'],
          parameters: [
            { name: 'agency', in: 'query', schema: { type: 'string' } },
            { name: 'role', in: 'query', schema: { type: 'string', enum: ROLES } },
          ],
          responses: { '200': json({ type: 'object', properties: { accounts: { type: 'array', items: ref('Account') } } }, 'the accounts'), ...ERRORS },
        },
        post: {
          summary: 'create an account and its API token (shown once)',
          'x-roles': ['admin'],
          requestBody: {
            required: true,
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  additionalProperties: false,
                  required: ['name', 'role'],
                  properties: {
                    name: { type: 'string', minLength: 1 },
                    role: { type: 'string', enum: ROLES },
                    agency: { type: 'string', description: 'required for officers and approvers; not allowed for editors and admins' },
                    email: { type: 'string', format: 'email', description: 'optional: approvers without a linked chat are told of new drafts by e-mail' },
                  },
                },
              },
            },
          },
          responses: {
            '201': json({ type: 'object', properties: { account: ref('Account'), token: { type: 'string' }, note: { type: 'string' } } }, 'the account and its token'),
            ...ERRORS,
          },
        },
      },
      '/accounts/{id}/link-code': {
        post: {
          summary: 'a one-time code that links a chat identity to the account',
          description: 'The person sends "LIEN KET <code>" (or "liên kết <code>") to the bot on Zalo, Messenger or the portal chat.',
          'x-roles': ['admin', 'the account itself'],
          parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
          responses: {
            '201': json(
              { type: 'object', properties: { account: { type: 'string' }, code: { type: 'string', pattern: '^[A-HJKMNP-TV-Z2-9]{5}-[A-HJKMNP-TV-Z2-9]{5}$' }, expiresAt: { type: 'string', format: 'date-time' }, instructions: { type: 'string' } } },
              'the code, shown once',
            ),
            ...ERRORS,
            '404': { $ref: '#/components/responses/NotFound' },
            '409': { $ref: '#/components/responses/Conflict' },
          },
        },
      },
      '/accounts/{id}/deactivate': accountAction('deactivate the account: its API tokens, chat links and link codes stop working (logged)', { account: ref('Account') }),
      '/accounts/{id}/revoke-tokens': accountAction('revoke every API token of the account (logged)', { account: { type: 'string' }, revoked: { type: 'integer' } }),
      '/accounts/{id}/unlink': accountAction(
        'unlink one chat identity of the account (body {channel, userId}), or all of them (empty body) (logged)',
        { account: { type: 'string' }, unlinked: { type: 'integer' } },
        { type: 'object', additionalProperties: false, properties: { channel: { type: 'string' }, userId: { type: 'string' } } },
      ),
      '/accounts/{id}/identities': {
        get: {
          summary: 'the chat identities linked to the account',
          'x-roles': ['admin'],
          parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
          responses: {
            '200': json({ type: 'object', properties: { account: { type: 'string' }, identities: { type: 'array', items: { type: 'object', properties: { channel: { type: 'string' }, userId: { type: 'string' } } } } } }, 'the identities'),
            ...ERRORS,
            '404': { $ref: '#/components/responses/NotFound' },
          },
        },
      },
      '/held-questions': {
        get: {
          summary: 'questions over a daily limit (data/policy.json questionsPerDay), not in the ledger, waiting for an editor',
          'x-roles': ['editor', 'admin'],
          parameters: [{ name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 1000, default: 100 } }],
          responses: { '200': json({ type: 'object', properties: { items: { type: 'array', items: { type: 'object' } } } }, 'oldest first'), ...ERRORS },
        },
      },
      '/held-questions/{id}/release': heldDecision('file the held question in the ledger now, as from the citizen; returns its ticket'),
      '/held-questions/{id}/discard': heldDecision('discard the held question: it never enters the ledger'),
      '/outbox/undelivered': {
        get: {
          summary: 'Zalo and Messenger messages that could not be delivered (dead, expired, unknown)',
          'x-roles': ['admin'],
          parameters: [{ name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 1000, default: 100 } }],
          responses: {
            '200': json({ type: 'object', properties: { items: { type: 'array', items: ref('UndeliveredMessage') } } }, 'newest first'),
            ...ERRORS,
            '404': { $ref: '#/components/responses/NotFound' },
          },
        },
      },
      '/outbox/{id}/resend': outboxDecision(
        'send an undelivered message again (dead, expired or unknown)',
        'Back in the queue with fresh attempts; reply windows still apply. For an `unknown` message (its send was cut off by a crash), check first in the channel’s own console that it did not arrive: the channels have no idempotency key.',
        'pending',
      ),
      '/outbox/{id}/delivered': outboxDecision(
        'record that a dead or unknown message did reach the person',
        'For a message seen in the channel’s own console or confirmed by the citizen; it leaves the undelivered list.',
        'sent',
      ),
    },
    components: {
      securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', description: 'a per-account API token (32 random bytes, base64url)' } },
      responses: {
        BadRequest: json(ref('Error'), 'the request is invalid; `error` says what to fix'),
        Unauthorized: json(ref('Error'), 'no token, or an invalid or revoked one'),
        Forbidden: json(ref('Error'), 'the account’s role or agency does not allow this'),
        NotFound: json(ref('Error'), 'no such question, account or outbox message'),
        Conflict: json(ref('Error'), 'the state of the question (already accepted, answered, extended...) or outbox message does not allow this now'),
      },
      schemas: {
        Error: {
          type: 'object',
          required: ['error', 'code', 'message'],
          properties: { error: { type: 'string' }, code: { type: 'string', enum: ['unauthorized', 'forbidden', 'not_found', 'invalid_state', 'invalid_input', 'internal'] }, message: { type: 'string', description: 'in Vietnamese, for people' } },
        },
        Account: {
          type: 'object',
          required: ['id', 'name', 'role', 'active', 'createdAt'],
          properties: {
            id: { type: 'string', pattern: '^acc_' },
            name: { type: 'string' },
            role: { type: 'string', enum: ROLES },
            agency: { type: 'string' },
            email: { type: 'string', format: 'email' },
            active: { type: 'boolean' },
            createdAt: { type: 'string', format: 'date-time' },
          },
        },
        Deadlines: {
          type: 'object',
          properties: {
            agency: { type: 'string' },
            agencyName: { type: 'string' },
            start: { type: 'string', format: 'date-time' },
            acceptDue: { type: 'string', format: 'date-time' },
            answerDue: { type: 'string', format: 'date-time' },
            baseAnswerDue: { type: 'string', format: 'date-time' },
            accepted: { type: 'string', format: 'date-time' },
            extension: { type: 'object', properties: { at: { type: 'string' }, days: { type: 'integer' }, appliedDays: { type: 'integer' } } },
            answered: { type: 'string', format: 'date-time' },
            authorized: { type: 'boolean' },
            ended: { type: 'string', format: 'date-time' },
            endReason: { type: 'string' },
          },
        },
        QuestionSummary: {
          type: 'object',
          required: ['q', 'status', 'channel', 'submittedAt', 'text'],
          properties: {
            q: { type: 'string' },
            status: { type: 'string', enum: STATUSES },
            agency: { type: 'string' },
            agencyName: { type: 'string' },
            channel: { type: 'string' },
            lang: { type: 'string' },
            submittedAt: { type: 'string', format: 'date-time' },
            lastEventAt: { type: 'string', format: 'date-time' },
            text: { type: 'string', description: 'the citizen’s question, plain text' },
            current: ref('Deadlines'),
            overdue: { type: 'object', properties: { deadline: { type: 'string', enum: ['accept', 'answer'] }, due: { type: 'string' }, workingDaysOverdue: { type: 'integer' } } },
            rating: { type: 'integer', minimum: 1, maximum: 5 },
          },
        },
        QuestionList: {
          type: 'object',
          properties: { agency: { type: 'string' }, total: { type: 'integer' }, limit: { type: 'integer' }, offset: { type: 'integer' }, items: { type: 'array', items: ref('QuestionSummary') } },
        },
        QuestionDetail: {
          allOf: [
            ref('QuestionSummary'),
            {
              type: 'object',
              properties: {
                asker: { type: 'object', properties: { name: { type: 'string' }, contact: { type: 'string' }, locality: { type: 'string' } } },
                askerInitials: { type: 'string' },
                cases: { type: 'array', items: ref('Deadlines') },
                events: { type: 'array', items: { type: 'object', description: 'ledger events (shared/reference/ledger-format.md)' } },
                latestDraft: ref('Draft'),
                draftChanges: {
                  type: 'object',
                  description: 'when the latest draft is pending and an approver returned an earlier version: that version, and the words added and removed since',
                  properties: { returned: ref('Draft'), added: { type: 'array', items: { type: 'string' } }, removed: { type: 'array', items: { type: 'string' } } },
                },
                suggestion: {
                  type: 'object',
                  properties: { agency: { type: 'string' }, name: { type: 'string' }, confidence: { type: 'number' }, alternatives: { type: 'array', items: { type: 'object' } } },
                },
              },
            },
          ],
        },
        Draft: {
          type: 'object',
          properties: {
            id: { type: 'integer' },
            q: { type: 'string' },
            agency: { type: 'string' },
            text: { type: 'string' },
            author: { type: 'string' },
            authorName: { type: 'string' },
            status: { type: 'string', enum: ['pending', 'approved', 'returned'] },
            comment: { type: 'string' },
            createdAt: { type: 'string', format: 'date-time' },
            decidedAt: { type: 'string', format: 'date-time' },
            decidedBy: { type: 'string' },
          },
        },
        ActionResult: {
          type: 'object',
          properties: {
            q: { type: 'string' },
            event: { type: 'object', description: 'the ledger event recorded (shared/reference/ledger-format.md)' },
            status: { type: 'string', enum: STATUSES, description: 'the question’s status after it' },
            agency: { type: 'string', description: 'the question’s agency after it' },
          },
        },
        OverdueList: {
          type: 'object',
          properties: {
            at: { type: 'string', format: 'date-time' },
            agencies: {
              type: 'array',
              items: {
                type: 'object',
                properties: {
                  agency: { type: 'string' },
                  name: { type: 'string' },
                  items: {
                    type: 'array',
                    items: {
                      type: 'object',
                      properties: {
                        q: { type: 'string' },
                        deadline: { type: 'string', enum: ['accept', 'answer'] },
                        due: { type: 'string', format: 'date-time' },
                        workingDaysOverdue: { type: 'integer' },
                        caseStart: { type: 'string', format: 'date-time' },
                        accepted: { type: 'boolean' },
                        text: { type: 'string' },
                      },
                    },
                  },
                },
              },
            },
          },
        },
        UndeliveredMessage: {
          type: 'object',
          properties: {
            id: { type: 'integer' },
            channel: { type: 'string', enum: ['zalo', 'facebook'] },
            recipient: { type: 'string' },
            status: { type: 'string', enum: ['dead', 'expired', 'unknown'] },
            attempts: { type: 'integer' },
            createdAt: { type: 'string', format: 'date-time' },
            source: { type: 'string' },
            lastError: { type: 'string' },
            text: { type: 'string' },
          },
        },
      },
    },
  };
}
