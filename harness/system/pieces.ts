/**
 * The system pieces hypotest and its tests need beyond `npm ci`, in one place: the preflight of `npm test`
 * (`harness/system/preflight.ts`) reads this list, the README's table shows it, and `pieces.test.ts` checks that they
 * agree (and that `.ci/run` installs nothing by itself).
 *
 * Pieces with `withoutRoot` are fetched into the project's cache without root when the system lacks them (the studies
 * do it on their own; the preflight does it before the tests); the others need root to install.
 */
import { HypotestError } from '../errors.ts';

/** A test needs a system piece that is missing; the message names the piece, the tests that need it and the fix. */
export class MissingSystemPieceError extends HypotestError {}

/** One Debian package the studies or the tests need. */
export interface SystemPiece {
  /** The Debian package that `apt-get install` installs. */
  readonly package: string;
  /** What it provides, in a few words (the README's table and the preflight's messages). */
  readonly provides: string;
  /** `studies`: `npx vitest run experiments` needs it (and tests too); `tests`: only `npm test` does. */
  readonly neededBy: 'studies' | 'tests';
  /** The test files (relative to the repository root) that need it. */
  readonly tests: readonly string[];
  /** How it is obtained without root when the system lacks it; absent when it needs root. */
  readonly withoutRoot?: string;
}

/**
 * Every Debian package hypotest uses, studies' first.
 *
 * @example
 * SYSTEM_PIECES.filter((p) => p.withoutRoot === undefined).map((p) => p.package) // the ones that need root
 */
export const SYSTEM_PIECES: readonly SystemPiece[] = [
  {
    package: 'dataset-fashion-mnist',
    provides: 'Fashion-MNIST, the studies\' dataset',
    neededBy: 'studies',
    tests: ['harness/data/fashionMnist.real.test.ts', 'harness/models/fastCpu/training.slow.test.ts', 'fixtures/projects/architectures-draft.e2e.test.ts'],
    withoutRoot: 'fetched into .cache/fashion-mnist (apt-get download, dpkg-deb -x)',
  },
  {
    package: 'libopenblas0',
    provides: 'OpenBLAS, the fast-cpu training backend (without it: wasm, 2x to 3x slower)',
    neededBy: 'studies',
    tests: [
      'harness/models/fastCpu/blas.test.ts',
      'harness/models/fastCpu/kernels.test.ts',
      'harness/models/fastCpu/crossEntropy.test.ts',
      'harness/models/fastCpu/backend.test.ts',
      'harness/models/fastCpu/vitKernels.test.ts',
      'harness/models/adamw.test.ts',
      'harness/models/fastCpu/training.slow.test.ts',
    ],
    withoutRoot: 'libopenblas0-serial fetched into .cache/debian with its libraries',
  },
  {
    package: 'libxgboost0',
    provides: 'XGBoost\'s C library, for gradient-boosted trees (trainXgboost)',
    neededBy: 'studies',
    tests: ['harness/models/gbt.test.ts', 'fixtures/projects/architectures-draft.e2e.test.ts'],
    withoutRoot: 'fetched into .cache/debian with libdmlc0 and libgomp1',
  },
  {
    package: 'poppler-utils',
    provides: 'pdftotext, pdfinfo, pdffonts, pdftoppm: the PDF report checks',
    neededBy: 'tests',
    tests: ['reporters/paper/documents.test.ts', 'reporters/paper/prereg.test.ts', 'reporters/cli.test.ts'],
  },
  {
    package: 'chromium',
    provides: 'the browser that looks at Vitest UI',
    neededBy: 'tests',
    tests: ['fixtures/ui/ui.test.ts'],
  },
  {
    package: 'slurm-wlm',
    provides: 'Slurm, for the job-array scale-out test (a one-node cluster)',
    neededBy: 'tests',
    tests: ['bench/slurm/slurm.test.ts'],
  },
  {
    package: 'munge',
    provides: 'Slurm\'s authentication daemon',
    neededBy: 'tests',
    tests: ['bench/slurm/slurm.test.ts'],
  },
];

/**
 * The README's table of system pieces (between `<!-- system-pieces -->` markers), made from {@link SYSTEM_PIECES};
 * `pieces.test.ts` checks that the README holds exactly this.
 *
 * @example
 * piecesTable().split('\n')[0] // '| Debian package | what for | needed by | without root |'
 */
export function piecesTable(): string {
  const rows = SYSTEM_PIECES.map((p) => `| \`${p.package}\` | ${p.provides} | ${p.neededBy === 'studies' ? 'the studies and the tests' : 'the tests'} | ${p.withoutRoot ?? 'needs root'} |`);
  return ['| Debian package | what for | needed by | without root |', '| --- | --- | --- | --- |', ...rows].join('\n');
}

/** The test that needs the one-node Slurm cluster, and the command (as root) that starts it. */
export const SLURM_CLUSTER = {
  tests: ['bench/slurm/slurm.test.ts'],
  start: 'bench/slurm/cluster.sh start',
} as const;

/**
 * The piece named `name`, for messages.
 *
 * @throws {MissingSystemPieceError} for a name that is not in {@link SYSTEM_PIECES} (a typo in a test).
 */
export function systemPiece(name: string): SystemPiece {
  const piece = SYSTEM_PIECES.find((p) => p.package === name);
  if (!piece) throw new MissingSystemPieceError(`systemPiece: '${name}' is not in SYSTEM_PIECES (harness/system/pieces.ts): ${SYSTEM_PIECES.map((p) => p.package).join(', ')}.`);
  return piece;
}
