import type { TurnContext } from 'botbuilder';
import type { BotServices } from '../../src/bot/services';
import { imageAttachments } from '../../src/bot/photos';
import { textsFor } from './common';

/**
 * The photos of a turn while asking (AskAgencyDialog): kept in the draft's list (at most the
 * policy's number), and the citizen told what was kept or refused. Returns whether the turn was
 * only photos (the step then keeps waiting for its answer).
 */
export async function takePhotos(services: BotServices, context: TurnContext, draft: { photos?: string[] } | undefined, atQuestionPrompt: boolean): Promise<boolean> {
  const t = textsFor(context);
  const kept = draft?.photos ?? [];
  const { photos } = services;
  const max = photos?.maxPerQuestion ?? 0;
  const got = photos ? await photos.receive(context, max - kept.length) : { ids: [], refused: imageAttachments(context.activity).length, overLimit: 0 };
  if (draft && got.ids.length > 0) draft.photos = [...kept, ...got.ids];
  if (got.refused > 0) await context.sendActivity(t.photos.refused(Math.floor((services.data.photos.maxBytes / 1048576) * 10) / 10));
  if (got.overLimit > 0) await context.sendActivity(t.photos.tooMany(max));
  const alone = !context.activity.text?.trim();
  if (got.ids.length > 0) await context.sendActivity(alone && atQuestionPrompt ? t.photos.writeQuestion : t.photos.kept({ count: (draft?.photos ?? []).length, max }));
  return alone;
}
