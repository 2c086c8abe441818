/**
 * The preflight of `npm test` (run by the `test` script before the type check): checks the system pieces the tests
 * need ({@link SYSTEM_PIECES}) before anything starts.
 *
 * - As root: installs the missing Debian packages with `apt-get install` (after `apt-get update` when the package
 *   lists are missing or stale), then checks again.
 * - Otherwise, when a piece that needs root is missing: stops at once, naming each missing piece and the tests that
 *   need it, with the one command to run as root (it installs every missing package). The one-node Slurm cluster of
 *   `bench/slurm/slurm.test.ts` counts as such a piece for a non-root user (the test starts it itself only as root).
 * - Otherwise, when only pieces that need no root are missing (the dataset, OpenBLAS, XGBoost): fetches them into
 *   the project's cache (`harness/system/debianFetch.ts`); a fetch that fails stops it as above.
 *
 * `HYPOTEST_IGNORE_SYSTEM_PACKAGES=1` makes it act as on a fresh machine (no package counts as installed).
 * `HYPOTEST_PREFLIGHT=0` skips it (e.g. on a system without dpkg); the tests that need a missing piece then fail
 * with its name.
 *
 * Run: `npx tsx harness/system/preflight.ts` (exit status 0: go on; 1: stopped).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { locateFashionMnist } from '../data/fashionMnist.ts';
import { cachedDebianPackage, fetchDebianPackage, ignoringSystemPackages } from './debianFetch.ts';
import { SLURM_CLUSTER, SYSTEM_PIECES, type SystemPiece } from './pieces.ts';

/** Everything the preflight does to the system, injected so that its decisions can be tested. */
export interface PreflightSystem {
  /** The user id (0: root). */
  readonly uid: number;
  /** Which of these Debian packages dpkg lists as installed. */
  installed(packages: readonly string[]): Set<string>;
  /** Whether the project's cache already holds a piece fetched without root. */
  cached(piece: SystemPiece): Promise<boolean>;
  /** Fetches a piece without root into the project's cache; throws with the reason when it cannot. */
  fetch(piece: SystemPiece): Promise<void>;
  /** As root: installs the packages (apt-get); throws when apt-get fails. */
  install(packages: readonly string[]): void;
  /** Whether the one-node Slurm cluster answers (`sinfo` shows a node idle). */
  slurmClusterUp(): boolean;
  /** Prints one line. */
  log(line: string): void;
}

/** Absolute path of the cluster script, for the command printed to a non-root user. */
const CLUSTER_SCRIPT = fileURLToPath(new URL(`../../${SLURM_CLUSTER.start.split(' ')[0]}`, import.meta.url));

/**
 * Checks the pieces and acts as described in the module comment; returns the exit status (0: the tests may start).
 *
 * @example
 * process.exitCode = await preflight(realSystem());
 */
export async function preflight(system: PreflightSystem, pieces: readonly SystemPiece[] = SYSTEM_PIECES): Promise<number> {
  const missing = await missingPieces(system, pieces);
  if (system.uid === 0) {
    if (missing.length === 0) return 0;
    const packages = missing.map((p) => p.package);
    system.log(`preflight: installing the Debian packages the tests need: ${packages.join(' ')}`);
    try {
      system.install(packages);
    } catch (error) {
      system.log(`preflight: apt-get could not install them (${(error as Error).message}). The tests did not start.`);
      return 1;
    }
    const still = await missingPieces(system, pieces);
    if (still.length > 0) {
      system.log(`preflight: still missing after apt-get install: ${still.map((p) => p.package).join(' ')}. The tests did not start.`);
      return 1;
    }
    return 0;
  }

  const slurmInstalled = !missing.some((p) => p.package === 'slurm-wlm' || p.package === 'munge');
  const clusterDown = pieces.some((p) => p.package === 'slurm-wlm') && (!slurmInstalled || !system.slurmClusterUp());
  const needRoot: { piece: SystemPiece; why?: string }[] = [];
  if (clusterDown || missing.some((p) => p.withoutRoot === undefined)) {
    // Root is needed anyway: stop at once, and let the one command install every missing package (no fetching first).
    for (const piece of missing) needRoot.push({ piece });
  } else {
    for (const piece of missing) {
      try {
        system.log(`preflight: ${piece.package} is not installed; fetching it without root (${piece.withoutRoot}) ...`);
        await system.fetch(piece);
        system.log(`preflight: ${piece.package}: fetched.`);
      } catch (error) {
        needRoot.push({ piece, why: `fetching it without root failed: ${oneLine(error)}` });
      }
    }
  }
  if (needRoot.length === 0 && !clusterDown) return 0;

  const lines = ['preflight: npm test stopped before the tests: these system pieces are missing, and setting them up needs root.'];
  for (const { piece, why } of needRoot) {
    lines.push(`  - ${piece.package} (${piece.provides}): needed by ${piece.tests.join(', ')}${why ? `; ${why}` : ''}`);
  }
  if (clusterDown) lines.push(`  - the one-node Slurm cluster (not running; only root can start it): needed by ${SLURM_CLUSTER.tests.join(', ')}`);
  lines.push('Run this one command as root (e.g. sudo sh -c \'...\', or su -c \'...\'), then npm test again:', '', `  ${rootCommand(needRoot.map((n) => n.piece.package), clusterDown)}`, '');
  lines.push('Or run npm test as root: it installs the packages itself (and the Slurm test starts its cluster).');
  for (const line of lines) system.log(line);
  return 1;
}

/**
 * The one command a non-root user is asked to run as root: install the packages (with fresh package lists) and, when
 * the Slurm test needs it, start the one-node cluster.
 *
 * @example
 * rootCommand(['chromium'], false) // 'apt-get update && apt-get install -y --no-install-recommends chromium'
 */
export function rootCommand(packages: readonly string[], startCluster: boolean): string {
  const steps: string[] = [];
  if (packages.length > 0) steps.push('apt-get update', `apt-get install -y --no-install-recommends ${packages.join(' ')}`);
  if (startCluster) steps.push(`${CLUSTER_SCRIPT} start`);
  return steps.join(' && ');
}

async function missingPieces(system: PreflightSystem, pieces: readonly SystemPiece[]): Promise<SystemPiece[]> {
  const installed = system.installed(pieces.map((p) => p.package));
  const missing: SystemPiece[] = [];
  for (const piece of pieces) {
    if (installed.has(piece.package)) continue;
    if (piece.withoutRoot !== undefined && (await system.cached(piece))) continue;
    missing.push(piece);
  }
  return missing;
}

/** The Debian package fetched without root for each piece that has one (the dataset is handled by its loader). */
const FETCHED_PACKAGE: Readonly<Record<string, string>> = { libopenblas0: 'libopenblas0-serial', libxgboost0: 'libxgboost0' };

/** The real system: dpkg-query, the project's cache, apt-get, sinfo, stdout. */
export function realSystem(): PreflightSystem {
  return {
    uid: process.getuid?.() ?? -1,
    installed(packages) {
      if (ignoringSystemPackages()) return new Set();
      const result = spawnSync('dpkg-query', ['-W', '-f=${Package} ${Status}\\n', ...packages], { encoding: 'utf8' });
      const out = new Set<string>();
      for (const line of (result.stdout ?? '').split('\n')) {
        const [name, ...status] = line.trim().split(' ');
        if (name && status.join(' ') === 'install ok installed') out.add(name.replace(/:.*$/, ''));
      }
      return out;
    },
    async cached(piece) {
      if (piece.package === 'dataset-fashion-mnist') return locateFashionMnist({ download: false }).then(() => true, () => false);
      const fetched = FETCHED_PACKAGE[piece.package];
      if (fetched === undefined) return false;
      try {
        return cachedDebianPackage(fetched) !== null;
      } catch {
        return false;
      }
    },
    async fetch(piece) {
      if (piece.package === 'dataset-fashion-mnist') {
        await locateFashionMnist();
        return;
      }
      const fetched = FETCHED_PACKAGE[piece.package];
      if (fetched === undefined) throw new Error(`no way to fetch ${piece.package} without root`);
      fetchDebianPackage(fetched);
    },
    install(packages) {
      const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
      const install = () => execFileSync('apt-get', ['install', '-y', '-q', '--no-install-recommends', ...packages], { stdio: 'inherit', env });
      try {
        install();
      } catch {
        // A fresh machine has no package lists (or stale ones): refresh them once and retry.
        execFileSync('apt-get', ['update', '-q'], { stdio: 'inherit', env });
        install();
      }
    },
    slurmClusterUp() {
      const conf = process.env.SLURM_CONF ?? `${process.env.HYPOTEST_SLURM_DIR ?? '/tmp/hypotest-slurm'}/slurm.conf`;
      const result = spawnSync('sinfo', ['-h', '-o', '%T'], { encoding: 'utf8', timeout: 20_000, env: { ...process.env, SLURM_CONF: conf } });
      return result.status === 0 && (result.stdout ?? '').trim().split('\n')[0] === 'idle';
    },
    log: (line) => console.log(line),
  };
}

function oneLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).replace(/\n\s*/g, ' ');
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  if (process.env.HYPOTEST_PREFLIGHT === '0') {
    console.log('preflight: skipped (HYPOTEST_PREFLIGHT=0); tests that need a missing system piece will fail naming it.');
  } else {
    process.exitCode = await preflight(realSystem());
  }
}
