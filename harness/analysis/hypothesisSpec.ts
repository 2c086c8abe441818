import { HypothesisDefinitionError } from '../errors.ts';
import { bonferroniConfidence } from '../stats/index.ts';
import { closestField, METRICS, type MetricName, type Study } from '../study.ts';
import type { Effect, shiftDrop } from './effects.ts';

/** A pre-registered hypothesis, as `hypothesis(study, spec)` receives it. */
export interface HypothesisSpec {
  id: string;
  /** The claim in words, as a reader of the report should read it. */
  claim: string;
  effect: Effect;
  /** Defaults to the study's primary metric. */
  metric?: MetricName;
  /**
   * The sealed split the hypothesis is judged on under the registered profile: `'test'` (the default) or `'shift'` (the
   * pooled shift split; needs a study whose dataset has one). The quick and pilot profiles judge every hypothesis on the
   * validation split, which is uncorrupted: for a shift hypothesis they show how the arms compare on validation, not
   * under shift, and say so (`HypothesisResult.registeredSplit`). A {@link shiftDrop} effect spans both sealed splits
   * and takes no split.
   */
  split?: 'test' | 'shift';
  direction: 'greater' | 'less' | 'equivalent';
  /** Smallest effect size of interest, in the metric's unit (accuracy: percentage points; nll: nats). */
  sesoi: number;
  /** Why that number. */
  sesoiReason: string;
  /** A family declared in the study's analysis plan. */
  family: string;
}

/** The fields of a {@link HypothesisSpec}; any other is a misspelling, refused at run time (e.g. `metirc`). */
const HYPOTHESIS_FIELDS = ['id', 'claim', 'effect', 'metric', 'split', 'direction', 'sesoi', 'sesoiReason', 'family'] as const;

/**
 * Checks a hypothesis against its study at collection time.
 *
 * @throws {HypothesisDefinitionError} naming the hypothesis, the problem and the fix: a bad id or a duplicate
 *   (ids in `seen`), no claim, an unknown direction, family or metric, a SESOI that is not a positive number,
 *   an effect not built by the helpers, a contrast of unknown factors or levels or whose weights do not sum to
 *   zero, a paired difference of unknown or identical cells, top two with fewer than two cells, a field that a
 *   hypothesis does not have (e.g. `metirc: 'nll'`, which would otherwise be judged on the primary metric), a split
 *   other than test or shift, a shift split or {@link shiftDrop} in a study without one, a split named for a shift drop,
 *   a shift drop of an unknown cell.
 * @example
 * validateHypothesis(study, spec, new Set(['H1'])) // throws if spec.id is 'H1'
 */
export function validateHypothesis(study: Study, spec: HypothesisSpec, seen: Set<string>): void {
  const where = `hypothesis('${spec?.id ?? '?'}') in study '${study.name}'`;
  const fail = (problem: string, fix: string): never => { throw new HypothesisDefinitionError(`${where}: ${problem}. Fix: ${fix}.`); };
  if (!spec || typeof spec !== 'object') fail('the hypothesis is not an object', 'pass { id, claim, effect, direction, sesoi, sesoiReason, family }');
  for (const field of Object.keys(spec)) {
    if ((HYPOTHESIS_FIELDS as readonly string[]).includes(field)) continue;
    const near = closestField(field, HYPOTHESIS_FIELDS);
    fail(`unknown field '${field}'`, near ? `did you mean '${near}'? A hypothesis has ${HYPOTHESIS_FIELDS.join(', ')}` : `remove it; a hypothesis has ${HYPOTHESIS_FIELDS.join(', ')}`);
  }
  if (typeof spec.id !== 'string' || !/^[A-Za-z0-9_.-]+$/.test(spec.id)) fail('id must be a short identifier like "H1"', 'set id');
  if (seen.has(spec.id)) fail(`id '${spec.id}' is used twice`, 'give every hypothesis its own id');
  if (typeof spec.claim !== 'string' || !spec.claim.trim()) fail('claim is missing', 'state the claim in words');
  if (!['greater', 'less', 'equivalent'].includes(spec.direction)) fail(`direction ${JSON.stringify(spec.direction)} is not "greater", "less" or "equivalent"`, 'register the direction or equivalence');
  if (typeof spec.sesoi !== 'number' || !(spec.sesoi > 0) || !Number.isFinite(spec.sesoi)) fail(`sesoi must be a positive number, got ${JSON.stringify(spec.sesoi)}`, 'register the smallest effect size of interest in the metric\'s unit (accuracy: percentage points)');
  if (typeof spec.sesoiReason !== 'string' || !spec.sesoiReason.trim()) fail('sesoiReason is missing', 'say why the SESOI is that number');
  if (typeof spec.family !== 'string' || !Object.hasOwn(study.analysis.families, spec.family)) fail(`family '${spec.family}' is not in the study's analysis.families (${Object.keys(study.analysis.families).join(', ')})`, 'use a declared family or declare it in study.ts');
  if (spec.metric !== undefined && (typeof spec.metric !== 'string' || !Object.hasOwn(METRICS, spec.metric))) fail(`unknown metric '${spec.metric}'`, `use ${Object.keys(METRICS).join(', ')}`);
  if (spec.split !== undefined && spec.split !== 'test' && spec.split !== 'shift') fail(`split ${JSON.stringify(spec.split)} is not "test" or "shift"`, "name a sealed split: split: 'shift', or leave it out for the test split");
  const effect = spec.effect;
  if (!effect || !['contrast', 'paired', 'top-two', 'shift-drop'].includes(effect.kind)) fail('effect is not contrast(...), pairedDifference(...), topTwoOnValidation() or shiftDrop(...)', 'build the effect with one of those helpers');
  if ((spec.split === 'shift' || effect.kind === 'shift-drop') && !study.dataset.hasShift) fail(`${effect.kind === 'shift-drop' ? 'shiftDrop' : "split: 'shift'"} needs a shift split, and study '${study.name}' has none`, "register one in the dataset (e.g. fashionMnist({ ..., shift: { corruptions: [...], seed } })), or judge the hypothesis on the test split");
  if (effect.kind === 'shift-drop' && spec.split !== undefined) fail(`shiftDrop compares the test and shift splits itself, so split: '${spec.split}' means nothing`, 'remove split');
  if (effect.kind === 'contrast') {
    if (study.analysis.model !== 'factorial' || !study.factors) fail('a contrast needs a factorial study', 'use pairedDifference() for arms');
    // With no factor named, every cell gets weight 1/cells: the grand mean, which is no comparison at all.
    if (!effect.weights || Object.keys(effect.weights).length === 0) fail('the contrast names no factor', 'name the levels it compares, e.g. contrast({ depth: { 8: 1, 2: -1 } })');
    for (const [factor, weights] of Object.entries(effect.weights)) {
      if (!weights || typeof weights !== 'object') fail(`the weights of factor '${factor}' are not an object of level → weight`, 'e.g. contrast({ depth: { 8: 1, 2: -1 } })');
      for (const [level, weight] of Object.entries(weights)) {
        if (typeof weight !== 'number' || !Number.isFinite(weight)) fail(`the weight of ${factor} level '${level}' is ${JSON.stringify(weight) ?? String(weight)}, not a finite number`, 'give every level a finite numeric weight, e.g. { 8: 1, 2: -1 }');
      }
      const levels = study.factors![factor];
      if (!levels) fail(`unknown factor '${factor}'`, `use one of ${Object.keys(study.factors!).join(', ')}`);
      for (const level of Object.keys(weights)) {
        if (!levels.some((l) => String(l) === level)) fail(`factor '${factor}' has no level '${level}'`, `use ${levels.join(', ')}`);
      }
      const sum = Object.values(weights).reduce((a, b) => a + b, 0);
      if (Math.abs(sum) > 1e-12) fail(`the weights of factor '${factor}' sum to ${sum}, not 0`, 'a contrast compares levels: weights must sum to zero, e.g. { 8: 1, 2: -1 }');
      if (Object.values(weights).every((w) => w === 0)) fail(`the weights of factor '${factor}' are all zero`, 'give the levels compared non-zero weights that sum to zero, e.g. { 8: 1, 2: -1 }');
    }
  } else if (effect.kind === 'paired') {
    for (const cellId of [effect.a, effect.b]) if (!study.cellIds.includes(cellId)) fail(`no cell '${cellId}'`, `use ${study.cellIds.join(', ')}`);
    if (effect.a === effect.b) fail('compares a cell with itself', 'name two different cells');
  } else if (effect.kind === 'shift-drop') {
    if (typeof effect.arm !== 'string' || !study.cellIds.includes(effect.arm)) fail(`no cell '${effect.arm}'`, `use ${study.cellIds.join(', ')}`);
  } else if (study.cellIds.length < 2) fail('top-two needs at least two cells', 'declare more arms');
}

/**
 * The confidence of the interval that decides a hypothesis: Bonferroni-adjusted over the hypotheses of its family
 * for a Bonferroni family, the study's confidence otherwise.
 *
 * @example
 * decidingConfidence(study, hypotheses, spec) // 0.975 for two confirmatory hypotheses at 0.95
 */
export function decidingConfidence(study: Study, hypotheses: readonly HypothesisSpec[], spec: HypothesisSpec): number {
  const m = hypotheses.filter((h) => h.family === spec.family).length;
  return study.analysis.families[spec.family].correction === 'bonferroni' ? bonferroniConfidence(study.analysis.confidence, m) : study.analysis.confidence;
}
