/**
 * Writes a contact sheet of distribution shifts (harness/data/contactSheet.ts) for a reviewer to look at before
 * the lock: a few Fashion-MNIST validation images (from the *training* file, which holds the validation split;
 * the test file is never opened) in their original form and under each corruption.
 *
 *   npx tsx bench/contactSheet.ts --out reports/<study>/shift-contact-sheet.svg \
 *     [--shifts gaussian-noise:3,contrast:3,translate:2,gaussian-blur:3,rotate:3] [--seed 0] [--count 8] [--start 50000] [--scale 3]
 *
 * `--shifts` lists kind:severity pairs (the study's registered shifts); `--seed` is the shifts' seed; `--start`
 * the index of the first image in the training file (50,000: the first of the last 10,000, the usual validation
 * images).
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { contactSheetSvg } from '../harness/data/contactSheet.ts';
import { SHIFT_KINDS, type ShiftKind, type ShiftSpec } from '../harness/data/shift.ts';
import { loadTrainingImages } from './fixtures/fashionMnistTraining.ts';

const { values: args } = parseArgs({
  options: {
    out: { type: 'string' },
    shifts: { type: 'string', default: SHIFT_KINDS.map((kind) => `${kind}:3`).join(',') },
    seed: { type: 'string', default: '0' },
    count: { type: 'string', default: '8' },
    start: { type: 'string', default: '50000' },
    scale: { type: 'string', default: '3' },
  },
});
if (args.out === undefined) throw new Error('bench/contactSheet.ts: --out FILE.svg is required.');
const seed = Number(args.seed);
const count = Number(args.count);
const start = Number(args.start);
const shifts: ShiftSpec[] = args.shifts.split(',').map((pair) => {
  const [kind, severity] = pair.split(':');
  return { kind: kind as ShiftKind, severity: Number(severity), seed };
});
const loaded = await loadTrainingImages();
if (loaded === undefined) throw new Error('bench/contactSheet.ts: Fashion-MNIST not found. Fix: apt-get install dataset-fashion-mnist, or set FASHION_MNIST_DIR.');
if (!Number.isInteger(start) || start < 0 || start + count > loaded.count) throw new Error(`bench/contactSheet.ts: --start ${start} --count ${count} is outside the ${loaded.count} training images.`);
// The loader scales pixels by 1/255; scaling back and rounding restores the file's bytes exactly.
const images = Uint8Array.from(loaded.features.subarray(start * 784, (start + count) * 784), (v: number) => Math.round(v * 255));
const svg = contactSheetSvg({
  images,
  layout: { count, height: 28, width: 28, channels: 1 },
  shifts,
  scale: Number(args.scale),
  title: `Fashion-MNIST validation images ${start}..${start + count - 1} under each registered shift (seed ${seed})`,
});
writeFileSync(args.out, svg);
process.stderr.write(`bench: wrote ${args.out} (${shifts.length} shifts x ${count} images, ${svg.length} bytes)\n`);
