import { describe, test } from 'vitest';
import { validateHypothesis, type HypothesisSpec } from './analysis/index.ts';
import { HypotestError } from './errors.ts';
import { currentProfile } from './profile.ts';
import type { Study } from './study.ts';
import { pilotSensitivity, studyVerdicts } from './studyVerdicts.ts';
import { annotatePilot, annotateVerdict } from './verdictAnnotation.ts';

const registries = new Map<Study, HypothesisSpec[]>();

/**
 * Registers a pre-registered hypothesis as a Vitest test, named with its verdict (e.g. `ablation H2 INCONCLUSIVE: ...`)
 * inside one suite per study. When the test runs, it reads the stored run records of the current profile, analyses
 * the whole family once, and records the verdict in task meta and an annotation. Supported passes; inconclusive and refuted are skipped with their reason (strict
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
  const firstOfStudy = !list;
  if (!list) {
    list = [];
    registries.set(study, list);
  }
  validateHypothesis(study, spec, new Set(list.map((h) => h.id)));
  list.push(spec);
  // Where the hypothesis is declared, so an unjudged verdict points at hypotheses.exp.ts, not the harness.
  declaredAt.set(spec, (new Error().stack ?? '').split('\n').slice(1).filter((frame) => !frame.includes('/harness/hypothesis.ts')).join('\n'));
  if (!firstOfStudy) return;
  const registered = list;
  // The tests are declared in a suite whose factory Vitest runs after the file's top level, so every hypothesis of the
  // family is registered by then and each test's name can carry its verdict, judged at collection from the stored
  // records (cells run before hypotheses): the verdict words show in Vitest UI's tree without a click.
  describe(`${study.name} hypotheses`, () => {
    const words = verdictWords(study, registered);
    for (const one of registered) {
      test(`${study.name} ${one.id}${words.get(one.id) ? ` ${words.get(one.id)}` : ''}: ${one.claim}`, async (context) => {
        try {
          if (currentProfile() === 'pilot') {
            await annotatePilot(context, study, (await pilotSensitivity(study, registered)).find((r) => r.id === one.id)!);
            return;
          }
          const { results, lock, summary } = studyVerdicts(study, registered);
          await annotateVerdict(context, study, registered, results.find((r) => r.id === one.id)!, lock, summary);
        } catch (error) {
          const where = declaredAt.get(one);
          if (error instanceof HypotestError && where) error.stack = `${error.name}: ${error.message}\n${where}`;
          throw error;
        }
      });
    }
  });
}

const declaredAt = new WeakMap<HypothesisSpec, string>();

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

/**
 * The word each test's name carries: the verdict in capitals (`SUPPORTED`, `REFUTED`, `INCONCLUSIVE`, `INCOMPLETE`,
 * `ERROR`), with the profile when it is not the registered one; `PILOT` under the pilot profile. Empty when the
 * study cannot be judged at collection (the test then reports why when it runs).
 */
function verdictWords(study: Study, hypotheses: readonly HypothesisSpec[]): Map<string, string> {
  const profile = currentProfile();
  if (profile === 'pilot') return new Map(hypotheses.map((h) => [h.id, 'PILOT']));
  try {
    const { results } = studyVerdicts(study, hypotheses);
    return new Map(results.map((r) => [r.id, `${r.verdict.toUpperCase()}${profile === 'registered' ? '' : ` (${profile} profile, validation)`}`]));
  } catch {
    return new Map();
  }
}
