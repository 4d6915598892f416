import { z } from 'zod';
import { EmptyBody, requiredText } from '../app/bodies';
import { queryEnum, queryInt, queryText } from '../app/common';
import { Instant } from '../app/views';
import { ROLES } from '../backoffice/types';
import type { HoldReason, OutboundStatus, OutboxChannel, PhotoInfo } from '../app/ports';
import type { PhotoType } from '../domain/photo';
import type { ReportFormat } from '../reports/appendix02';

/**
 * The answers and queries of the REST routes whose handler is the HTTP adapter itself (accounts,
 * held questions, the outbox, errors): zod schemas beside src/http/api.ts, which builds these
 * answers, and from which src/http/openapi.ts generates the document. The question routes' are
 * with their use cases (src/app/views.ts, src/app/questions/*). Names are camelCase.
 */

export const ERROR_CODES = ['unauthorized', 'forbidden', 'not_found', 'invalid_state', 'invalid_input', 'internal'] as const;

export const ErrorBody = z.object({
  error: z.string().meta({ description: 'what went wrong, precisely (English, for operators and integrators)' }),
  code: z.enum(ERROR_CODES).meta({ description: 'for programs' }),
  message: z.string().meta({ description: 'the same in Vietnamese, to show a person' }),
  requestId: z.string().optional().meta({ description: 'on an internal error: the id the operators find it by in the logs' }),
});
export type ErrorBody = z.infer<typeof ErrorBody>;

/** GET /openapi.json: the document (its parts are OpenAPI's own). */
export const OpenApiView = z.looseObject({ openapi: z.string(), info: z.looseObject({ title: z.string(), version: z.string() }), paths: z.record(z.string(), z.unknown()) });

export const AccountView = z.object({
  id: z.string().meta({ pattern: '^acc_' }),
  name: z.string(),
  role: z.enum(ROLES),
  agency: z.string().optional().meta({ description: 'officers and approvers: the agency they work for' }),
  email: z.string().optional().meta({ format: 'email' }),
  active: z.boolean(),
  createdAt: Instant,
});
export type AccountView = z.infer<typeof AccountView>;

export const AccountsQuery = z.object({ agency: queryText('agency code or name'), role: queryEnum('role', ROLES) });
export const AccountList = z.object({ accounts: z.array(AccountView) });
export const CreatedAccount = z.object({ account: AccountView, token: z.string().meta({ description: 'the API token, shown only once' }), note: z.string() });
export const LinkCodeView = z.object({
  account: z.string(),
  code: z.string().meta({ pattern: '^[A-HJKMNP-TV-Z2-9]{5}-[A-HJKMNP-TV-Z2-9]{5}$' }),
  expiresAt: Instant,
  instructions: z.string().meta({ description: 'what to send to the bot, in Vietnamese' }),
});
export const DeactivatedAccount = z.object({ account: AccountView });
export const RevokedTokens = z.object({ account: z.string(), revoked: z.number().int().meta({ description: 'live tokens revoked' }) });
export const UnlinkedIdentities = z.object({ account: z.string(), unlinked: z.number().int() });
export const IdentityList = z.object({ account: z.string(), identities: z.array(z.object({ channel: z.string(), userId: z.string() })) });

/** The held-question and outbox lists: how many at most. */
export const HELD_AND_OUTBOX_PAGE = 100;
export const LimitQuery = z.object({ limit: queryInt('limit', 1, 1000, 'how many at most', HELD_AND_OUTBOX_PAGE) });

export const HeldList = z.object({
  items: z.array(
    z.object({
      id: z.number().int(),
      heldAt: Instant,
      reason: z.enum(['identity', 'contact', 'address', 'overall'] as const satisfies readonly HoldReason[]).meta({ description: 'the daily limit it went over' }),
      channel: z.string(),
      text: z.string().meta({ description: 'the citizen’s question, plain text' }),
      asker: z.object({ name: z.string(), contact: z.string(), locality: z.string().optional() }),
      agency: z.string().meta({ description: 'where it goes when released' }),
      triage: z.boolean(),
    }),
  ),
});
export const ReleasedHeld = z.object({ id: z.number().int(), q: z.string().meta({ description: 'the ticket it got' }), agency: z.string() });
export const DiscardedHeld = z.object({ id: z.number().int(), status: z.literal('discarded') });

export const UndeliveredList = z.object({
  items: z.array(
    z.object({
      id: z.number().int(),
      channel: z.enum(['zalo', 'facebook', 'email', 'sms', 'zns'] as const satisfies readonly OutboxChannel[]),
      recipient: z.string(),
      status: z.enum(['dead', 'expired', 'unknown']),
      attempts: z.number().int(),
      createdAt: Instant,
      source: z.string().optional().meta({ description: 'what it answers: an inbox event id or a question id' }),
      lastError: z.string().optional(),
      text: z.string(),
    }),
  ),
});
export const OutboxDecision = z.object({
  id: z.number().int(),
  was: z.enum(['pending', 'sending', 'sent', 'dead', 'expired', 'unknown'] as const satisfies readonly OutboundStatus[]).meta({ description: 'its status before the decision' }),
  status: z.enum(['pending', 'sent']),
});

/** The bodies of the routes that are not question actions (those come from the use cases: src/app/bodies.ts). */
export const Bodies = {
  empty: EmptyBody,
  settle: z.object({ note: requiredText('note', 'what was checked, kept with the message').optional() }).strict(),
  unlink: z.object({ channel: requiredText('channel', 'directline, zalo or facebook').optional(), userId: requiredText('userId', 'the chat user id, from GET /accounts/{id}/identities').optional() }).strict(),
  account: z
    .object({
      name: requiredText('name', "the person's full name"),
      role: z.enum(ROLES, { error: () => `role must be one of ${ROLES.join(', ')}` }),
      agency: requiredText('agency', 'required for officers and approvers (a code such as so-yte); not allowed for editors and admins').optional(),
      email: requiredText('email', 'optional: where the person is told of new work (approvers: new drafts) when no chat is linked').optional(),
    })
    .strict(),
};

/** What GET /reports/appendix02 answers in each format. */
export const CONTENT_TYPES: Record<ReportFormat, string> = {
  csv: 'text/csv; charset=utf-8',
  json: 'application/json; charset=utf-8',
  md: 'text/markdown; charset=utf-8',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
};

const PHOTO_TYPES = ['image/jpeg', 'image/png', 'image/webp'] as const satisfies readonly PhotoType[];
const PHOTO_CHANNELS = ['portal', 'zalo', 'facebook'] as const satisfies readonly PhotoInfo['channel'][];

/** GET /questions/{q}/photos: the photos the citizen sent with the question (never published). */
export const PhotoList = z.object({
  q: z.string(),
  photos: z.array(
    z.object({
      n: z.number().int().min(1),
      type: z.enum(PHOTO_TYPES),
      size: z.number().int(),
      channel: z.enum(PHOTO_CHANNELS),
      receivedAt: Instant,
      url: z.string().meta({ description: 'GET it for the bytes' }),
    }),
  ),
});
