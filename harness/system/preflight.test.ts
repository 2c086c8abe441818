/**
 * The preflight of `npm test`: its decisions with an injected user id, package checker, cache, fetch and apt-get
 * (nothing is installed or removed on this machine), and one real run as a non-root user that counts nothing as
 * installed (HYPOTEST_IGNORE_SYSTEM_PACKAGES=1) and cannot write the project: it must stop with the one command.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { preflight, rootCommand, type PreflightSystem } from './preflight.ts';
import { SLURM_CLUSTER, SYSTEM_PIECES, type SystemPiece } from './pieces.ts';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const ALL = SYSTEM_PIECES.map((p) => p.package);

interface Fake extends PreflightSystem {
  readonly lines: string[];
  readonly fetched: string[];
  readonly installs: string[][];
}

function fakeSystem(options: { uid: number; installed: readonly string[]; cached?: readonly string[]; fetchFails?: readonly string[]; clusterUp?: boolean; installFails?: boolean }): Fake {
  const installed = new Set(options.installed);
  const cached = new Set(options.cached ?? []);
  const lines: string[] = [];
  const fetched: string[] = [];
  const installs: string[][] = [];
  return {
    uid: options.uid,
    lines, fetched, installs,
    installed: (packages) => new Set(packages.filter((p) => installed.has(p))),
    cached: async (piece: SystemPiece) => cached.has(piece.package),
    fetch: async (piece: SystemPiece) => {
      fetched.push(piece.package);
      if (options.fetchFails?.includes(piece.package)) throw new Error(`apt-get download ${piece.package}: E: Unable to locate package\nsecond line`);
      cached.add(piece.package);
    },
    install: (packages) => {
      installs.push([...packages]);
      if (options.installFails) throw new Error('E: Unable to locate package chromium');
      for (const p of packages) installed.add(p);
    },
    slurmClusterUp: () => options.clusterUp ?? true,
    log: (line) => lines.push(line),
  };
}

const without = (...names: string[]) => ALL.filter((p) => !names.includes(p));
const testsOf = (name: string) => SYSTEM_PIECES.find((p) => p.package === name)!.tests.join(', ');
const clusterScript = `${REPO}${SLURM_CLUSTER.start.split(' ')[0]}`;

describe('preflight as a non-root user', () => {
  test('everything there and the cluster up: go on, silently, nothing fetched', async () => {
    const system = fakeSystem({ uid: 1000, installed: ALL });
    expect(await preflight(system)).toBe(0);
    expect(system.lines).toEqual([]);
    expect(system.fetched).toEqual([]);
  });

  test('only pieces that need no root are missing: they are fetched into the cache, and the tests start', async () => {
    const system = fakeSystem({ uid: 1000, installed: without('libxgboost0', 'libopenblas0') });
    expect(await preflight(system)).toBe(0);
    expect(system.fetched).toEqual(['libopenblas0', 'libxgboost0']);
    expect(system.installs).toEqual([]);
  });

  test('a copy already in the project cache counts as present', async () => {
    const system = fakeSystem({ uid: 1000, installed: without('dataset-fashion-mnist'), cached: ['dataset-fashion-mnist'] });
    expect(await preflight(system)).toBe(0);
    expect(system.fetched).toEqual([]);
  });

  test('a piece that needs root is missing: stops at once (no fetching) naming each piece and its tests, with the one command', async () => {
    const system = fakeSystem({ uid: 1000, installed: without('poppler-utils', 'chromium', 'libxgboost0') });
    expect(await preflight(system)).toBe(1);
    expect(system.fetched).toEqual([]);
    expect(system.installs).toEqual([]);
    const text = system.lines.join('\n');
    expect(system.lines[0]).toBe('preflight: npm test stopped before the tests: these system pieces are missing, and setting them up needs root.');
    // One line per piece: its package, what it provides, and the tests of the list that need it.
    expect(text).toContain(`  - poppler-utils (pdftotext, pdfinfo, pdffonts, pdftoppm: the PDF report checks): needed by ${testsOf('poppler-utils')}`);
    for (const name of ['libxgboost0', 'chromium']) expect(text).toContain(`  - ${name} (${SYSTEM_PIECES.find((p) => p.package === name)!.provides}): needed by ${testsOf(name)}`);
    expect(system.lines).toContain('  apt-get update && apt-get install -y --no-install-recommends libxgboost0 poppler-utils chromium');
    expect(text).not.toContain('Slurm cluster');
  });

  test('a fetch that fails stops it, with the reason on one line and the package in the command', async () => {
    const system = fakeSystem({ uid: 1000, installed: without('dataset-fashion-mnist'), fetchFails: ['dataset-fashion-mnist'] });
    expect(await preflight(system)).toBe(1);
    expect(system.lines.join('\n')).toContain(`  - dataset-fashion-mnist (Fashion-MNIST, the studies' dataset): needed by ${testsOf('dataset-fashion-mnist')}; fetching it without root failed: apt-get download dataset-fashion-mnist: E: Unable to locate package second line`);
    expect(system.lines).toContain('  apt-get update && apt-get install -y --no-install-recommends dataset-fashion-mnist');
  });

  test('the Slurm cluster down: a piece only root can set up; the command starts it (after installing Slurm when missing)', async () => {
    const down = fakeSystem({ uid: 1000, installed: ALL, clusterUp: false });
    expect(await preflight(down)).toBe(1);
    expect(down.lines.join('\n')).toContain('  - the one-node Slurm cluster (not running; only root can start it): needed by bench/slurm/slurm.test.ts');
    expect(down.lines).toContain(`  ${clusterScript} start`);
    const noSlurm = fakeSystem({ uid: 1000, installed: without('slurm-wlm', 'munge') });
    expect(await preflight(noSlurm)).toBe(1);
    expect(noSlurm.lines).toContain(`  apt-get update && apt-get install -y --no-install-recommends slurm-wlm munge && ${clusterScript} start`);
  });
});

describe('preflight as root', () => {
  test('installs exactly the missing packages with apt-get, then goes on (never fetches; the Slurm test starts its own cluster)', async () => {
    const system = fakeSystem({ uid: 0, installed: without('chromium', 'libopenblas0'), clusterUp: false });
    expect(await preflight(system)).toBe(0);
    expect(system.installs).toEqual([['libopenblas0', 'chromium']]);
    expect(system.fetched).toEqual([]);
    expect(system.lines).toEqual(['preflight: installing the Debian packages the tests need: libopenblas0 chromium']);
  });

  test('apt-get failing stops it', async () => {
    const system = fakeSystem({ uid: 0, installed: without('chromium'), installFails: true });
    expect(await preflight(system)).toBe(1);
    expect(system.lines.at(-1)).toMatch(/apt-get could not install them \(E: Unable to locate package chromium\)\. The tests did not start\./);
  });
});

test('rootCommand: packages with fresh lists, then the cluster', () => {
  expect(rootCommand(['chromium'], false)).toBe('apt-get update && apt-get install -y --no-install-recommends chromium');
  expect(rootCommand([], true)).toBe(`${clusterScript} start`);
});

// A real run: as `nobody` when this runs as root (runuser), else as the current non-root user. Nothing counts as
// installed and the project is not writable by that user (or the fetch is refused), so it must stop with the command.
const asRoot = process.getuid?.() === 0;
test('for real, as a non-root user on a "fresh" system: exit 1 and the one command naming every package', () => {
  const node = [process.execPath, `${REPO}node_modules/tsx/dist/cli.mjs`, `${REPO}harness/system/preflight.ts`];
  const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HYPOTEST_IGNORE_SYSTEM_PACKAGES: '1', HYPOTEST_DEBIAN_FETCH: '0', SLURM_CONF: '/nonexistent/slurm.conf' };
  const result = asRoot
    ? spawnSync('runuser', ['-u', 'nobody', '--', 'env', ...Object.entries(env).map(([k, v]) => `${k}=${v}`), ...node], { cwd: REPO, encoding: 'utf8', timeout: 120_000 })
    : spawnSync(node[0], node.slice(1), { cwd: REPO, encoding: 'utf8', timeout: 120_000, env });
  const output = `${result.stdout}\n${result.stderr}`;
  expect(result.status, output).toBe(1);
  expect(output).toContain('preflight: npm test stopped before the tests');
  for (const piece of SYSTEM_PIECES) expect(output).toContain(`  - ${piece.package} (`);
  expect(output).toContain(`  apt-get update && apt-get install -y --no-install-recommends ${ALL.join(' ')} && ${clusterScript} start`);
});
