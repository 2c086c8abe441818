import { formatSettings, type SearchSummary } from '../../harness/search.ts';

/**
 * The markdown section of a study's search (verdicts.md): the shared budget and its calibration, then one row per trial
 * of every arm with its sampled settings, validation accuracy and training seconds, the chosen trial marked. Empty for a
 * study without a search.
 *
 * @example
 * lines.push(...searchMarkdown(file.design.search))
 */
export function searchMarkdown(search: SearchSummary | undefined): string[] {
  if (!search) return [];
  const { budget } = search;
  const lines = [
    '## Search',
    '',
    `${search.trials} trials per arm (${search.profile} profile), scored on validation only; the final seeds train each arm's best trial (ties: the earlier). ` +
      `Budget per trial: ${budget.epochs} epochs (networks)${budget.rounds !== undefined ? `, ${budget.rounds} rounds (trees)` : ''}, at most ${budget.secondsPerTrial} s on the calibration machine ` +
      `(${budget.calibration.machine}, ${budget.calibration.date}: ${Object.entries(budget.calibration.secondsPerTrial).map(([arm, s]) => `${arm} ${s} s`).join(', ')}).`,
    '',
    '| arm | trial | seed | settings | validation accuracy | seconds | chosen |',
    '| --- | --- | --- | --- | --- | --- | --- |',
  ];
  for (const arm of search.arms) {
    for (const trial of arm.trials) {
      const accuracy = trial.status === 'ok' ? `${trial.validationAccuracy?.toFixed(2)}%` : trial.status;
      const seconds = trial.trainSeconds === undefined ? '—' : `${trial.trainSeconds.toFixed(1)}${trial.overBudget ? ' (over T)' : ''}`;
      const chosen = arm.chosen?.trial === trial.trial ? 'yes' : '';
      lines.push(`| ${arm.arm} (${arm.family}) | ${trial.trial} | ${trial.seed} | ${formatSettings(trial.sampled).replace(/\|/g, '\\|')} | ${accuracy} | ${seconds} | ${chosen} |`);
    }
    if (!arm.chosen) lines.push(`| ${arm.arm} (${arm.family}) | — | — | nothing chosen: ${arm.problem} | | | |`);
  }
  lines.push('');
  return lines;
}
