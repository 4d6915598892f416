import { z } from 'zod';
import { WorkflowError } from '../errors';
import { loadQuestion, QuestionId } from '../common';
import { authorize, type StaffActor } from '../permissions';
import type { PhotoInfo, PhotoStore } from '../ports';
import type { AppDeps } from '../use-case-ports';

/**
 * The photos a citizen sent with a question: seen by the staff who may view the question (its
 * agency's officers and approvers, editors, admins), through the same permission check as the
 * question itself. Never published (/hoi-dap shows none).
 */

export const QuestionPhotosInput = z.object({ q: QuestionId }).strict();
export const QuestionPhotoInput = z.object({ q: QuestionId, n: z.number().int().min(1).max(100) }).strict();

export type PhotoDeps = Pick<AppDeps, 'ledger'> & { photos: Pick<PhotoStore, 'list' | 'get'> };

export async function questionPhotos(deps: PhotoDeps, input: z.infer<typeof QuestionPhotosInput>, actor: StaffActor): Promise<PhotoInfo[]> {
  const state = await loadQuestion(deps, input?.q);
  authorize(actor, 'view', state);
  return deps.photos.list(state.id);
}

export async function questionPhoto(deps: PhotoDeps, input: z.infer<typeof QuestionPhotoInput>, actor: StaffActor): Promise<PhotoInfo & { bytes: Buffer }> {
  const state = await loadQuestion(deps, input?.q);
  authorize(actor, 'view', state);
  const photo = await deps.photos.get(state.id, input.n);
  if (!photo) throw new WorkflowError('not_found', `question ${state.id} has no photo ${input.n}`);
  return photo;
}
