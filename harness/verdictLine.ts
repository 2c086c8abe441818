import type { HypothesisResult } from './analysis/index.ts';
import { formatConfidence, formatValue } from './figures/format.ts';

/**
 * One-line summary of a verdict, as annotated in Vitest and printed: the effect with its deciding interval, the
 * claim, the verdict's code, for an inconclusive verdict the design's minimum detectable effect and, when an analysis
 * deviation adopted another verdict rule and the lock's rule decides differently, that verdict beside.
 *
 * @example
 * verdictLine(result) // 'supported: depth: +1×8 -1×2 = +1.20 pp (97.5% CI [+0.61, +1.79], ...); claim > +0.5 pp; beyond-sesoi' (minus signs are U+2212)
 */
export function verdictLine(result: HypothesisResult): string {
  if (result.estimate === null) return `${result.verdict}: ${result.reason}`;
  // Digits follow the unit (pp to 0.01, nats to 0.001), with real minus signs.
  const signed = (v: number | null) => formatValue(v, result.unit, { signed: true });
  const correction = result.correction === 'bonferroni' && result.familySize > 1 ? `, Bonferroni over ${result.familySize} ${result.family} hypotheses` : result.confirmatory ? '' : ', exploratory';
  const ci = `${formatConfidence(result.confidence)} CI [${signed(result.lower)}, ${signed(result.upper)}]${correction}`;
  const claim = result.direction === 'equivalent' ? `within ±${result.sesoi}` : `${result.direction === 'greater' ? '> +' : '< −'}${result.sesoi}`;
  const mde = result.verdict === 'inconclusive' && result.minimumDetectableEffect !== null ? `; the design's MDE is ${formatValue(result.minimumDetectableEffect, result.unit)} ${result.unit}` : '';
  const beside = result.registeredRuleVerdict ? `; under the registered verdict rule ${result.registeredRuleVerdict.verdictRule}: ${result.registeredRuleVerdict.verdict} (${result.registeredRuleVerdict.code})` : '';
  // A hypothesis that names its split says so (a shift drop's label already names both splits).
  const on = result.registeredSplit && !result.shiftDrop ? ` on ${result.split}${result.split !== result.registeredSplit ? ` (standing in for ${result.registeredSplit})` : ''}` : '';
  return `${result.verdict}: ${result.effect}${on} = ${signed(result.estimate)} ${result.unit} (${ci}); claim ${claim} ${result.unit}; ${result.code}${mde}${beside}`;
}
