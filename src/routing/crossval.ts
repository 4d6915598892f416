import type { AgencyDirectory } from '../domain/agencies';
import { labelsOnDay, routeAll, summarize, writerOf, type RoutingEvaluation } from './evaluate';
import type { LabeledQuestion, Router } from './router';

export interface CrossValidation {
  /** Writers held out in turn (the id prefixes of the training examples). */
  writers: string[];
  /** Per temperature tried: the held-out writers' figures pooled. */
  byTemperature: Array<{ temperature: number; evaluation: RoutingEvaluation }>;
  /** The temperature with the lowest log loss on held-out writers. */
  fitted: number;
}

export const TEMPERATURES = [0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.9, 1, 1.2];

/**
 * Leave one writer out: for each writer of the training examples, a router trained
 * without that writer's examples routes them. A voice never trained on is what the
 * router meets in service, so the confidence is calibrated on these predictions (the
 * temperature with the lowest log loss), not on the training examples it has fitted.
 * Examples without a writer (intents/agencies/) are always trained on.
 */
export function crossValidateByWriter(
  training: readonly LabeledQuestion[],
  makeRouter: (training: readonly LabeledQuestion[]) => Router,
  temperatures = TEMPERATURES,
  /** Route on this day, against the labels as they read then (labelsOnDay). */
  on?: { day: number; directory: AgencyDirectory },
): CrossValidation {
  const writers = [...new Set(training.filter((t) => t.id).map((t) => writerOf(t)))].sort();
  const pooled = temperatures.map(() => [] as ReturnType<typeof routeAll>);
  for (const writer of writers) {
    const router = makeRouter(training.filter((t) => !t.id || writerOf(t) !== writer));
    const written = training.filter((t) => t.id && writerOf(t) === writer).map((t) => ({ ...t, file: `held out: ${writer}` }));
    const held = on ? labelsOnDay(written, on.day, on.directory, router) : written;
    temperatures.forEach((temperature, i) => {
      router.temperature = temperature;
      pooled[i].push(...routeAll(router, held, on?.day));
    });
  }
  const byTemperature = temperatures.map((temperature, i) => ({ temperature, evaluation: summarize(pooled[i]) }));
  const fitted = [...byTemperature].sort((a, b) => a.evaluation.logLoss - b.evaluation.logLoss)[0]?.temperature ?? 1;
  return { writers, byTemperature, fitted };
}
