import { test } from 'vitest';
import { validateHypothesis, type HypothesisSpec } from './analysis/index.ts';
import { HypotestError } from './errors.ts';
import { currentProfile } from './profile.ts';
import type { Study } from './study.ts';
import { pilotSensitivity, studyVerdicts } from './studyVerdicts.ts';
import { annotatePilot, annotateVerdict } from './verdictAnnotation.ts';

const registries = new Map<Study, HypothesisSpec[]>();

/**
 * Registers a pre-registered hypothesis as a Vitest test. When the test runs, it reads the stored run
 * records of the current profile, analyses the whole family once, and records the verdict in task meta
 * and an annotation. Supported passes; inconclusive and refuted are skipped with their reason (strict
 * mode, `HYPOTEST_STRICT=1`, fails them); incomplete and error fail: they are integrity problems.
 *
 * @throws {HypothesisDefinitionError} at collection time when the spec is malformed (see validateHypothesis).
 * @example
 * hypothesis(study, { id: 'H1', claim: 'Depth 8 beats depth 2', effect: contrast({ depth: { 8: 1, 2: -1 } }),
 *   direction: 'greater', sesoi: 0.5, sesoiReason: '...', family: 'confirmatory' })
 */
export function hypothesis(study: Study, spec: HypothesisSpec): void {
  if (collecting) {
    collecting.push(spec);
    return;
  }
  let list = registries.get(study);
  if (!list) {
    list = [];
    registries.set(study, list);
  }
  validateHypothesis(study, spec, new Set(list.map((h) => h.id)));
  list.push(spec);
  const registered = list;
  // Where the hypothesis is declared, so an unjudged verdict points at hypotheses.exp.ts, not the harness.
  const declaredAt = (new Error().stack ?? '').split('\n').slice(1).filter((frame) => !frame.includes('/harness/hypothesis.ts')).join('\n');
  test(`${study.name} ${spec.id}: ${spec.claim}`, async (context) => {
    try {
      if (currentProfile() === 'pilot') {
        await annotatePilot(context, study, (await pilotSensitivity(study, registered)).find((r) => r.id === spec.id)!);
        return;
      }
      const { results, lock, summary } = studyVerdicts(study, registered);
      await annotateVerdict(context, study, registered, results.find((r) => r.id === spec.id)!, lock, summary);
    } catch (error) {
      if (error instanceof HypotestError && declaredAt) error.stack = `${error.name}: ${error.message}\n${declaredAt}`;
      throw error;
    }
  });
}

let collecting: HypothesisSpec[] | null = null;

/**
 * Runs `load` (an import of a hypotheses file) with {@link hypothesis} collecting the specs instead of registering
 * Vitest tests, and returns them in declaration order: how `hypotest diff` reads a hypotheses file outside Vitest.
 *
 * @example
 * const specs = await collectHypotheses(() => import(pathToFileURL(file).href));
 */
export async function collectHypotheses(load: () => Promise<unknown>): Promise<HypothesisSpec[]> {
  const collected: HypothesisSpec[] = [];
  const previous = collecting;
  collecting = collected;
  try {
    await load();
  } finally {
    collecting = previous;
  }
  return collected;
}
