import { mkdirSync } from 'node:fs';
import { ConfigurationError } from './errors.ts';
import { createRandom } from './random.ts';

/**
 * The named moments at which a test can make a run die (`HYPOTEST_FAULT`), each where a crash could leave the store
 * half-written:
 *
 * - `record-write-before`: the run trained and evaluated; its record is about to be written.
 * - `record-write-during`: half of the record's bytes are in the temporary file; the record itself is not in place.
 * - `record-write-after`: the record is in place; the test (and its annotation) did not finish.
 * - `audit-append-during`: half of an audit entry is appended (a torn last line, no newline).
 * - `sealed-evaluate-during`: a sealed opening is logged; the frozen model is being evaluated on the split.
 * - `sealed-before-record`: every sealed split was evaluated; the record has not been started.
 */
export const FAULT_POINTS = [
  'record-write-before', 'record-write-during', 'record-write-after', 'audit-append-during', 'sealed-evaluate-during', 'sealed-before-record',
] as const;
export type FaultPoint = (typeof FAULT_POINTS)[number];

/** The parsed value of `HYPOTEST_FAULT`. */
export interface FaultPlan {
  /** Points that fire, each at its `hit`-th arrival (1 = the first). */
  points: { point: FaultPoint; hit: number }[];
  /** Seeded random mode: every arrival at any point fires with probability `probability`, drawn from a stream seeded by `seed`. */
  random: { seed: string; probability: number } | null;
}

/**
 * Parses `HYPOTEST_FAULT`: a comma- or `|`-separated list of fault points, each optionally `@n` (fire at the n-th arrival
 * at that point; default the first), or `random:<seed>[:<probability>]` (every arrival at any point fires with the given
 * probability, default 0.25, from a stream seeded by the seed and the arrival's number, so a seed replays the same kill).
 * Arrivals are counted in this process, or across processes when `HYPOTEST_FAULT_COUNTER` names a folder (Vitest runs
 * cells in several worker processes).
 *
 * @throws {ConfigurationError} for an unknown point or a malformed count or probability (the message lists the points).
 * @example
 * parseFaultPlan('record-write-during@3,audit-append-during') // fires at the third record write, or the first audit append
 */
export function parseFaultPlan(value: string | undefined): FaultPlan {
  const plan: FaultPlan = { points: [], random: null };
  for (const part of (value ?? '').split(/[,|]/).map((p) => p.trim()).filter(Boolean)) {
    if (part.startsWith('random:')) {
      const [, seed, probability = '0.25'] = part.split(':');
      const p = Number(probability);
      if (!seed || !(p > 0 && p <= 1)) throw new ConfigurationError(`HYPOTEST_FAULT: '${part}' is not random:<seed>[:<probability in (0, 1]>]. Fix: e.g. HYPOTEST_FAULT=random:7 or random:7:0.1.`);
      plan.random = { seed, probability: p };
      continue;
    }
    const [name, count] = part.split('@');
    const hit = count === undefined ? 1 : Number(count);
    if (!(FAULT_POINTS as readonly string[]).includes(name) || !Number.isInteger(hit) || hit < 1) {
      throw new ConfigurationError(`HYPOTEST_FAULT: '${part}' is not a fault point. Fix: use one of ${FAULT_POINTS.join(', ')}, optionally with @<n> (n >= 1), or random:<seed>[:<probability>].`);
    }
    plan.points.push({ point: name as FaultPoint, hit });
  }
  return plan;
}

const localArrivals = new Map<string, number>();

/** The number of this arrival under `label` (1, 2, ...), unique across processes when a counter folder is given. */
function arrival(label: string, counterDir: string | undefined): number {
  if (!counterDir) {
    const n = (localArrivals.get(label) ?? 0) + 1;
    localArrivals.set(label, n);
    return n;
  }
  // mkdir is atomic: the first free number is this arrival's, whichever process asks.
  mkdirSync(counterDir, { recursive: true });
  for (let n = 1; ; n++) {
    try {
      mkdirSync(`${counterDir}/${label}-${n}`);
      return n;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
}

/**
 * A named fault point. Without `HYPOTEST_FAULT` it does nothing (one environment read). When the plan says this arrival
 * fires, it runs `beforeKill` (e.g. writes half a file), says so on stderr and sends SIGKILL to its own process group:
 * the Vitest worker, the main Vitest process and their siblings die at once, as on a power cut or an out-of-memory kill.
 *
 * @example
 * faultPoint('record-write-before');
 * faultPoint('audit-append-during', () => appendFileSync(path, line.slice(0, line.length >> 1)));
 */
export function faultPoint(point: FaultPoint, beforeKill?: () => void): void {
  const value = process.env.HYPOTEST_FAULT;
  if (!value) return;
  const plan = parseFaultPlan(value);
  const counter = process.env.HYPOTEST_FAULT_COUNTER || undefined;
  let fire = false;
  const wanted = plan.points.find((p) => p.point === point);
  if (wanted) fire = arrival(point, counter) === wanted.hit;
  if (!fire && plan.random) {
    const n = arrival('random', counter);
    fire = createRandom(`${plan.random.seed}/${n}`)() < plan.random.probability;
  }
  if (!fire) return;
  beforeKill?.();
  process.stderr.write(`hypotest: HYPOTEST_FAULT: killing process group at ${point} (pid ${process.pid})\n`);
  process.kill(0, 'SIGKILL');
}
