/**
 * The Slurm launcher for real: a job array (sbatch --array=1-3) on a one-node cluster, each task running one shard of
 * the toy study's cells in its own copy of the project (bench/slurm/shard.sbatch), then a merge job after all of them
 * (bench/slurm/merge.sbatch: `hypotest merge`, `vitest --merge-reports`, the hypotheses once). Starts the cluster with
 * bench/slurm/cluster.sh when it is not up (and stops what it started; that needs root: for a non-root user, npm test's
 * preflight asks for the cluster to be started first). Without Slurm the test fails naming the missing package
 * (fixtures/systemPieces.ts); npm test's preflight installs it as root, or prints the command to run.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { freshProject, GIT_ISOLATION, PROJECTS_DIR, REPO, runCli } from '../../fixtures/projects/run.ts';
import { describeNeeding } from '../../fixtures/systemPieces.ts';

const HERE = join(REPO, 'bench', 'slurm');
const SLURM_CONF = process.env.SLURM_CONF ?? join(process.env.HYPOTEST_SLURM_DIR ?? '/tmp/hypotest-slurm', 'slurm.conf');

/** The parent's environment without Vitest's and hypotest's own variables (the jobs inherit it through --export=ALL). */
function jobEnvironment(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value === undefined || key.startsWith('VITEST') || key.startsWith('HYPOTEST_') || key === 'NODE_ENV' || key === 'TEST') continue;
    env[key] = value;
  }
  return { ...env, ...GIT_ISOLATION, SLURM_CONF, FORCE_COLOR: '0', NO_COLOR: '1' };
}
function run(command: string, args: string[], timeout = 60_000) {
  const result = spawnSync(command, args, { env: jobEnvironment(), encoding: 'utf8', timeout });
  return { status: result.status ?? -1, output: `${result.stdout ?? ''}\n${result.stderr ?? ''}${result.error ? `\n${result.error.message}` : ''}` };
}
const slurmInstalled = run('sbatch', ['--version']).status === 0;
const clusterUp = () => run('sinfo', ['-h', '-o', '%T']).output.trim().split('\n')[0] === 'idle';

describeNeeding('slurm-wlm', slurmInstalled, 'sbatch --version failed')('a study sharded over a Slurm job array', () => {
  let started = false;
  beforeAll(() => {
    if (!clusterUp()) {
      const start = run(join(HERE, 'cluster.sh'), ['start']);
      expect(start.status, `the one-node Slurm cluster is not running and could not be started (as root: bench/slurm/cluster.sh start):\n${start.output}`).toBe(0);
      started = true;
    }
    expect(clusterUp()).toBe(true);
  }, 120_000);
  afterAll(() => {
    if (started) run(join(HERE, 'cluster.sh'), ['stop']);
  });

  test('sbatch --array=1-3 runs one shard per task in its own folder; the merge job gathers them and judges once', { timeout: 300_000 }, () => {
    const template = freshProject('toy', 'slurm-template');
    const lock = runCli(template, ['lock', 'toy']);
    expect(lock.status, lock.output).toBe(0);
    const target = join(PROJECTS_DIR, 'slurm-merged');
    rmSync(target, { recursive: true, force: true });
    mkdirSync(target, { recursive: true });
    cpSync(template, target, { recursive: true });
    for (let i = 1; i <= 3; i++) rmSync(join(PROJECTS_DIR, `slurm-shard-${i}`), { recursive: true, force: true });
    for (const old of readdirSync(PROJECTS_DIR).filter((f) => f.startsWith('slurm-') && f.endsWith('.out'))) rmSync(join(PROJECTS_DIR, old));

    const submit = spawnSync(join(HERE, 'submit.sh'), ['--wait', 'toy', '3', template, PROJECTS_DIR, target], {
      env: {
        ...jobEnvironment(),
        HYPOTEST_SHARD_PREFIX: 'slurm-shard-',
        HYPOTEST_VITEST: `${process.execPath} ${join(REPO, 'node_modules', 'vitest', 'vitest.mjs')}`,
        HYPOTEST_COMMAND: `${process.execPath} ${join(REPO, 'bin', 'hypotest.mjs')}`,
      },
      encoding: 'utf8',
      timeout: 280_000,
    });
    const logs = readdirSync(PROJECTS_DIR).filter((f) => f.startsWith('slurm-') && f.endsWith('.out')).map((f) => `--- ${f}\n${readFileSync(join(PROJECTS_DIR, f), 'utf8').slice(-3000)}`).join('\n');
    expect(submit.status, `${submit.stdout}\n${submit.stderr}\n${logs}`).toBe(0);
    const arrayJob = /array job (\d+)/.exec(submit.stdout)?.[1];
    expect(arrayJob, submit.stdout).toBeDefined();

    // Each task ran its own shard in its own folder, with its blob report.
    for (let i = 1; i <= 3; i++) {
      const shard = join(PROJECTS_DIR, `slurm-shard-${i}`);
      expect(existsSync(join(shard, '.vitest-reports', `blob-${i}-3.json`)), logs).toBe(true);
      expect(readFileSync(join(PROJECTS_DIR, `slurm-${arrayJob}_${i}.out`), 'utf8')).toContain(`shard ${i}/3 of the cells in ${shard}`);
    }
    const mergeLog = readdirSync(PROJECTS_DIR).filter((f) => f.startsWith('slurm-merge-') && f.endsWith('.out')).map((f) => readFileSync(join(PROJECTS_DIR, f), 'utf8')).join('\n');
    expect(mergeLog).toContain('12 records added');
    expect(mergeLog).toMatch(/Tests\s+12 passed \(12\)/);
    expect(existsSync(join(target, 'calls.log'))).toBe(false); // nothing trained where the shards were merged
    const verdicts = JSON.parse(readFileSync(join(target, 'reports', 'toy', 'verdicts.json'), 'utf8'));
    expect(verdicts.hypotheses.map((h: { id: string; verdict: string; runsComplete: number }) => [h.id, h.verdict, h.runsComplete])).toEqual([
      ['H1', 'supported', 12], ['H2', 'refuted', 12], ['H3', 'supported', 12], ['H4', 'inconclusive', 12],
    ]);
  });
});
