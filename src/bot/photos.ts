import type { Activity, Attachment, TurnContext } from 'botbuilder';
import { createHash } from 'node:crypto';
import type { PhotoStore } from '../app/ports';
import type { PhotoPolicy } from '../domain/photo';
import { logger } from '../observability/logger';
import { fetchPhoto, type FetchedPhoto, type PhotoFetchOptions } from '../channels/photo-fetch';
import { EVENT_SOURCE } from './turn-state';
import { verifiedChannel } from './channels';

/**
 * Photos a citizen sends while asking (dialogs/citizen/askAgencyDialog.ts keeps their ids in the
 * draft): a portal photo was checked and stored by the Direct Line upload (its attachment names
 * it as `hoidap-photo:<id>`); a Zalo or Messenger photo is fetched from the channel's CDN
 * (src/channels/photo-fetch.ts) and stored here. Nothing comes from the Bot Framework endpoint,
 * whose sender nobody verified: its attachments are refused.
 */

/** How a portal upload's attachment names the photo it stored. */
export const PORTAL_PHOTO_SCHEME = 'hoidap-photo:';
const PORTAL_PHOTO_ID = /^[A-Za-z0-9_-]{16,64}$/;

/** The attachments of an activity that are images (Zalo and Messenger say "image"; Web Chat "image/jpeg"...). */
export function imageAttachments(activity: Partial<Activity>): Attachment[] {
  return (activity.attachments ?? []).filter((a) => typeof a?.contentType === 'string' && /^image(\/|$)/i.test(a.contentType));
}

/** Whether a turn carries anything besides text (images, stickers, files). */
export function hasAttachments(activity: Partial<Activity>): boolean {
  return (activity.attachments ?? []).length > 0;
}

export interface PhotoIntakeResult {
  /** Ids of the photos stored for this sender, in order. */
  ids: string[];
  /** Images refused: not a JPEG, PNG or WebP, too large, not from an allowed host, unreachable. */
  refused: number;
  /** Images over the question's limit, not kept. */
  overLimit: number;
}

export interface PhotoIntakeDeps {
  store: PhotoStore;
  policy: PhotoPolicy;
  now(): number;
  /** Test hooks for the CDN fetch (name resolution, a self-signed fake's certificate). */
  fetch?: Partial<Pick<PhotoFetchOptions, 'lookup' | 'ca' | 'testFake'>>;
}

export class PhotoIntake {
  constructor(private readonly deps: PhotoIntakeDeps) {}

  get maxPerQuestion(): number {
    return this.deps.policy.maxPerQuestion;
  }

  /** Who may file a photo: the verified chat identity of the turn. */
  owner(context: TurnContext): string | undefined {
    const channel = verifiedChannel(context);
    const user = context.activity.from?.id;
    return channel && user ? `${channel}:${user}` : undefined;
  }

  /** Keeps the turn's images, at most `room` of them; says what was kept and what was not. */
  async receive(context: TurnContext, room: number): Promise<PhotoIntakeResult> {
    const images = imageAttachments(context.activity);
    const result: PhotoIntakeResult = { ids: [], refused: 0, overLimit: Math.max(0, images.length - Math.max(0, room)) };
    const owner = this.owner(context);
    const channel = verifiedChannel(context);
    const source = (context.turnState.get(EVENT_SOURCE) as string | undefined) ?? String(context.activity.id ?? '');
    for (const [index, image] of images.slice(0, Math.max(0, room)).entries()) {
      const url = String(image.contentUrl ?? '');
      if (!owner || !channel) {
        result.refused += 1;
        continue;
      }
      if (channel === 'directline') {
        // Stored and checked by the upload; filing checks that it is this sender's.
        const id = url.startsWith(PORTAL_PHOTO_SCHEME) ? url.slice(PORTAL_PHOTO_SCHEME.length) : '';
        if (PORTAL_PHOTO_ID.test(id)) result.ids.push(id);
        else result.refused += 1;
        continue;
      }
      const fetched: FetchedPhoto = await fetchPhoto(url, {
        allowedHosts: this.deps.policy.allowedHosts,
        maxBytes: this.deps.policy.maxBytes,
        timeoutMs: this.deps.policy.fetchTimeoutMs,
        ...this.deps.fetch,
      });
      if (!fetched.ok) {
        // The host only: a CDN URL carries signed tokens.
        logger.warn('photo refused', { channel, reason: fetched.reason, host: safeHost(url), source });
        result.refused += 1;
        continue;
      }
      // The same event's photo has the same id: a turn run again after a crash stores nothing twice.
      const id = createHash('sha256').update(`${source}#${index}`).digest('base64url').slice(0, 32);
      await this.deps.store.savePending({ id, owner, channel: channel === 'facebook' ? 'facebook' : 'zalo', type: fetched.type, bytes: fetched.bytes, receivedAt: this.deps.now() }, this.deps.policy.maxPerQuestion);
      result.ids.push(id);
    }
    return result;
  }

  /** Files the draft's photos with the question; returns how many it has. */
  async file(context: TurnContext, q: string, ids: readonly string[]): Promise<number> {
    const owner = this.owner(context);
    if (!owner || ids.length === 0) return 0;
    const n = await this.deps.store.attach(q, owner, ids.slice(0, this.deps.policy.maxPerQuestion));
    logger.info('photos filed with a question', { q, photos: n });
    return n;
  }
}

function safeHost(url: string): string {
  try {
    return new URL(url).hostname;
  } catch {
    return '(not a URL)';
  }
}
