/**
 * Distribution-shift corruptions of 8-bit images, in the spirit of ImageNet-C (Hendrycks &
 * Dietterich 2019, "Benchmarking Neural Network Robustness to Common Corruptions and
 * Perturbations") and MNIST-C (Mu & Gilmer 2019). Applied by the loaders to the sealed test
 * images to make the `shift` split; labels are unchanged. Every corruption is deterministic for
 * a seed: one `createRandom(seed)` stream is consumed image by image in file order.
 *
 * Severities 1 to 5 (values on the 0..255 scale; results rounded to the nearest integer and
 * clipped to [0, 255], as when ImageNet-C saves its images as 8-bit files):
 *
 * | kind            | severity 1..5                       | what happens to each image                                       |
 * | --------------- | ----------------------------------- | ---------------------------------------------------------------- |
 * | gaussian-noise  | sigma = 0.08, 0.12, 0.18, 0.26, 0.38 x 255 | independent N(0, sigma^2) noise added to every value (ImageNet-C's sigmas) |
 * | contrast        | c = 0.4, 0.3, 0.2, 0.1, 0.05        | `(x - m) * c + m`, m = the image's mean per channel (ImageNet-C's factors) |
 * | translate       | d = 1, 2, 3, 4, 5 pixels            | moved by (round(d cos t), round(d sin t)), t uniform in [0, 2 pi), zero fill |
 * | gaussian-blur   | sigma = 0.4, 0.6, 0.7, 0.8, 1.0 pixels | separable Gaussian kernel of radius ceil(3 sigma), normalised, edges clamped (CIFAR-10-C's sigmas for 32-pixel images) |
 * | rotate          | a = 10, 20, 30, 40, 50 degrees      | rotated by +a or -a (sign drawn per image) about the image centre, bilinear, zero fill |
 *
 * Blur and rotation follow MNIST-C's choice of corruptions that keep the label obvious to a person (Mu & Gilmer
 * 2019, "MNIST-C: A Robustness Benchmark for Computer Vision"); their severities are this file's own, chosen
 * for 28- and 32-pixel images. Contrast and blur draw no random numbers (the seed changes nothing);
 * noise, translation and rotation draw them image by image.
 */
import { createRandom, deriveSeed } from '../random.ts';
import { InvalidInputError } from '../errors.ts';

/** The corruption kinds. */
export type ShiftKind = 'gaussian-noise' | 'contrast' | 'translate' | 'gaussian-blur' | 'rotate';

/** Every accepted {@link ShiftKind}. */
export const SHIFT_KINDS: readonly ShiftKind[] = ['gaussian-noise', 'contrast', 'translate', 'gaussian-blur', 'rotate'];

/** A registered distribution shift: which corruption, how strong (1 to 5), and its seed. */
export interface ShiftSpec {
  readonly kind: ShiftKind;
  /** Integer 1 (mild) to 5 (strong); see {@link SHIFT_SEVERITIES}. */
  readonly severity: number;
  readonly seed: number;
}

/** One registered corruption of a {@link ShiftPlan}: a kind and a severity (1 to 5). */
export interface ShiftCorruption {
  readonly kind: ShiftKind;
  readonly severity: number;
}

/**
 * A registered shift split of several corruptions: the test images once per corruption, in the order listed, each
 * image keeping its corruption (`Split.groups`, named `<kind>-<severity>`, e.g. `gaussian-blur-3`). Corruption i draws
 * its random numbers from `deriveSeed(seed, 'shift/<kind>-<severity>')`, so adding a corruption to the list changes
 * no other corruption's images.
 */
export interface ShiftPlan {
  readonly corruptions: readonly ShiftCorruption[];
  readonly seed: number;
}

/** What a dataset's `shift` option takes: one corruption ({@link ShiftSpec}, the original form) or a {@link ShiftPlan}. */
export type ShiftOption = ShiftSpec | ShiftPlan;

/** The group name of a corruption in the shift split: `<kind>-<severity>`, e.g. `rotate-2`. */
export function corruptionName(corruption: ShiftCorruption): string {
  return `${corruption.kind}-${corruption.severity}`;
}

/**
 * The corruptions a shift option registers, each with its name and the {@link ShiftSpec} that makes its images: the
 * single form is one corruption with its own seed (so its images and the dataset's fingerprint are what they were);
 * a plan gives each corruption its seed derived from the plan's.
 *
 * @throws {InvalidInputError} as {@link checkShiftOption} does.
 * @example
 * shiftCorruptions({ corruptions: [{ kind: 'rotate', severity: 2 }], seed: 7 })[0].name // 'rotate-2'
 */
export function shiftCorruptions(shift: ShiftOption): { name: string; spec: ShiftSpec }[] {
  checkShiftOption('shiftCorruptions', shift);
  if (!isShiftPlan(shift)) return [{ name: corruptionName(shift), spec: shift }];
  return shift.corruptions.map((c) => ({ name: corruptionName(c), spec: { kind: c.kind, severity: c.severity, seed: deriveSeed(shift.seed, `shift/${corruptionName(c)}`) } }));
}

/** Whether a shift option is a {@link ShiftPlan} (it lists `corruptions`). */
export function isShiftPlan(shift: ShiftOption): shift is ShiftPlan {
  return shift !== null && typeof shift === 'object' && 'corruptions' in shift;
}

/**
 * The shift split's images: every image of `images` once per registered corruption, corruption by corruption, with each
 * example's corruption as an index into `groupNames`. The single form gives one copy and no groups (as before).
 *
 * @throws {InvalidInputError} as {@link applyShift} and {@link checkShiftOption} do.
 * @example
 * const { images, groups, groupNames } = applyShiftPlan(test, layout, { corruptions: [{ kind: 'rotate', severity: 2 }, { kind: 'contrast', severity: 1 }], seed: 7 });
 * // images.length === 2 * test.length; groups[i] is 0 for the rotated copies, 1 for the others
 */
export function applyShiftPlan(images: Uint8Array, layout: ImageLayout, shift: ShiftOption): { images: Uint8Array; groups?: Uint8Array; groupNames?: string[] } {
  const corruptions = shiftCorruptions(shift);
  if (!isShiftPlan(shift)) return { images: applyShift(images, layout, corruptions[0].spec) };
  const out = new Uint8Array(images.length * corruptions.length);
  const groups = new Uint8Array(layout.count * corruptions.length);
  corruptions.forEach((c, g) => {
    out.set(applyShift(images, layout, c.spec), g * images.length);
    groups.fill(g, g * layout.count, (g + 1) * layout.count);
  });
  return { images: out, groups, groupNames: corruptions.map((c) => c.name) };
}

/**
 * The JSON-safe parameters of a shift option for a dataset's `params` (and so its fingerprint): the single form as it
 * always was (`{ kind, severity, seed }`), a plan as `{ corruptions: [{ kind, severity }, ...], seed }`.
 *
 * @example
 * shiftParams({ kind: 'contrast', severity: 2, seed: 1 }) // { kind: 'contrast', severity: 2, seed: 1 }
 */
export function shiftParams(shift: ShiftOption): Record<string, unknown> {
  checkShiftOption('shiftParams', shift);
  return isShiftPlan(shift)
    ? { corruptions: shift.corruptions.map((c) => ({ kind: c.kind, severity: c.severity })), seed: shift.seed }
    : { kind: shift.kind, severity: shift.severity, seed: shift.seed };
}

/**
 * The shift split for a dataset's description: "the test images with <corruption> as the shift split", or for a plan
 * "the test images once per registered corruption (N copies: ...) as the shift split".
 *
 * @example
 * describeShiftSplit({ corruptions: [{ kind: 'rotate', severity: 1 }], seed: 3 })
 */
export function describeShiftSplit(shift: ShiftOption): string {
  if (!isShiftPlan(shift)) return `the test images with ${describeShift(shift)} as the shift split`;
  const parts = shiftCorruptions(shift).map((c) => `${c.name}: ${describeShift(c.spec).replace(/ \(severity \d, seed -?\d+\)$/, ` (severity ${c.spec.severity})`)}`);
  return `the test images once per registered corruption (${parts.length} ${parts.length === 1 ? 'copy' : 'copies'}, seed ${shift.seed}; ${parts.join('; ')}) as the shift split, each image keeping its corruption`;
}

/**
 * Checks a shift option, either form, before any image is touched.
 *
 * @throws {InvalidInputError} for a bad single form (see {@link checkShiftSpec}), a plan without corruptions, an unknown
 *   field, a corruption listed twice, more than 255 corruptions, or a seed that is not a safe integer.
 * @example
 * checkShiftOption('fashionMnist', { corruptions: [{ kind: 'gaussian-blur', severity: 3 }], seed: 7 });
 */
export function checkShiftOption(api: string, shift: ShiftOption): void {
  if (!isShiftPlan(shift)) {
    checkShiftSpec(api, shift);
    return;
  }
  for (const field of Object.keys(shift)) {
    if (field !== 'corruptions' && field !== 'seed') throw new InvalidInputError(`${api}: shift has no field '${field}'; a registered shift is { corruptions: [{ kind, severity }, ...], seed }.`);
  }
  if (!Array.isArray(shift.corruptions) || shift.corruptions.length === 0) {
    throw new InvalidInputError(`${api}: shift.corruptions must list at least one { kind, severity }, got ${JSON.stringify(shift.corruptions)}.`);
  }
  if (shift.corruptions.length > 255) throw new InvalidInputError(`${api}: shift.corruptions lists ${shift.corruptions.length} corruptions; at most 255 are supported.`);
  const seen = new Set<string>();
  shift.corruptions.forEach((c, i) => {
    if (c === null || typeof c !== 'object') throw new InvalidInputError(`${api}: shift.corruptions[${i}] must be { kind, severity }, got ${JSON.stringify(c)}.`);
    for (const field of Object.keys(c)) {
      if (field !== 'kind' && field !== 'severity') throw new InvalidInputError(`${api}: shift.corruptions[${i}] has no field '${field}'; each corruption is { kind, severity } (the plan has one seed).`);
    }
    checkShiftSpec(`${api}: shift.corruptions[${i}]`, { kind: c.kind, severity: c.severity, seed: 0 });
    const name = corruptionName(c);
    if (seen.has(name)) throw new InvalidInputError(`${api}: shift.corruptions lists ${name} twice; register each corruption once.`);
    seen.add(name);
  });
  if (!Number.isSafeInteger(shift.seed)) throw new InvalidInputError(`${api}: shift.seed must be a safe integer, got ${shift.seed}.`);
}

/**
 * The parameter of each corruption per severity (index 0 = severity 1): the noise standard
 * deviation as a fraction of 255, the contrast factor, the translation distance in pixels, the blur's
 * standard deviation in pixels and the rotation angle in degrees.
 */
export const SHIFT_SEVERITIES: Readonly<Record<ShiftKind, readonly number[]>> = {
  'gaussian-noise': [0.08, 0.12, 0.18, 0.26, 0.38],
  contrast: [0.4, 0.3, 0.2, 0.1, 0.05],
  translate: [1, 2, 3, 4, 5],
  'gaussian-blur': [0.4, 0.6, 0.7, 0.8, 1.0],
  rotate: [10, 20, 30, 40, 50],
};

/** Layout of an image batch: `count` images, each stored channel-major (channels, height, width). */
export interface ImageLayout {
  readonly count: number;
  readonly height: number;
  readonly width: number;
  readonly channels: number;
}

/**
 * Returns corrupted copies of `images` (the input is not modified).
 *
 * @throws {InvalidInputError} for an unknown kind, a severity outside 1..5, a seed that is not a
 *   safe integer, or an image array whose length does not match the layout.
 * @example
 * const shifted = applyShift(testImages, { count: 10_000, height: 28, width: 28, channels: 1 },
 *   { kind: 'gaussian-noise', severity: 3, seed: 7 });
 */
export function applyShift(images: Uint8Array, layout: ImageLayout, shift: ShiftSpec): Uint8Array {
  checkShiftSpec('applyShift', shift);
  const { count, height, width, channels } = layout;
  for (const [key, value] of Object.entries(layout)) {
    if (!Number.isInteger(value) || value < (key === 'count' ? 0 : 1)) {
      throw new InvalidInputError(`applyShift: layout.${key} must be a ${key === 'count' ? 'non-negative' : 'positive'} integer, got ${value}.`);
    }
  }
  const imageSize = channels * height * width;
  if (images.length !== count * imageSize) {
    throw new InvalidInputError(
      `applyShift: ${count} images of ${channels} x ${height} x ${width} need ${count * imageSize} bytes, got ${images.length}.`,
    );
  }
  const parameter = SHIFT_SEVERITIES[shift.kind][shift.severity - 1];
  const rng = createRandom(shift.seed);
  const out = new Uint8Array(images.length);
  const plane = height * width;
  for (let image = 0; image < count; image++) {
    const base = image * imageSize;
    switch (shift.kind) {
      case 'gaussian-noise': {
        const sigma = parameter * 255;
        for (let i = base; i < base + imageSize; i++) out[i] = clampByte(images[i] + sigma * standardNormal(rng));
        break;
      }
      case 'contrast': {
        for (let c = 0; c < channels; c++) {
          const start = base + c * plane;
          let sum = 0;
          for (let i = start; i < start + plane; i++) sum += images[i];
          const mean = sum / plane;
          for (let i = start; i < start + plane; i++) out[i] = clampByte((images[i] - mean) * parameter + mean);
        }
        break;
      }
      case 'translate': {
        const angle = rng() * 2 * Math.PI;
        const dx = Math.round(parameter * Math.cos(angle));
        const dy = Math.round(parameter * Math.sin(angle));
        for (let c = 0; c < channels; c++) {
          const start = base + c * plane;
          for (let y = 0; y < height; y++) {
            const sy = y - dy;
            if (sy < 0 || sy >= height) continue;
            for (let x = 0; x < width; x++) {
              const sx = x - dx;
              if (sx >= 0 && sx < width) out[start + y * width + x] = images[start + sy * width + sx];
            }
          }
        }
        break;
      }
      case 'gaussian-blur': {
        const kernel = gaussianKernel(parameter);
        const scratch = new Float64Array(plane);
        for (let c = 0; c < channels; c++) {
          const start = base + c * plane;
          blurPlane(images.subarray(start, start + plane), out.subarray(start, start + plane), height, width, kernel, scratch);
        }
        break;
      }
      case 'rotate': {
        const angle = ((rng() < 0.5 ? -1 : 1) * parameter * Math.PI) / 180;
        for (let c = 0; c < channels; c++) {
          const start = base + c * plane;
          rotatePlane(images.subarray(start, start + plane), out.subarray(start, start + plane), height, width, angle);
        }
        break;
      }
    }
  }
  return out;
}

/**
 * One clause for a report, e.g. "Gaussian noise with sigma = 0.18 x 255 (severity 3, seed 7)".
 *
 * @example
 * describeShift({ kind: 'contrast', severity: 2, seed: 1 }); // "contrast reduced to 0.3 of its deviation from each image's mean (severity 2, seed 1)"
 */
export function describeShift(shift: ShiftSpec): string {
  checkShiftSpec('describeShift', shift);
  const p = SHIFT_SEVERITIES[shift.kind][shift.severity - 1];
  const tail = `(severity ${shift.severity}, seed ${shift.seed})`;
  switch (shift.kind) {
    case 'gaussian-noise':
      return `additive Gaussian noise with sigma = ${p} x 255, rounded and clipped to [0, 255] ${tail}`;
    case 'contrast':
      return `contrast reduced to ${p} of each pixel's deviation from its image's mean ${tail}`;
    case 'translate':
      return `each image translated by ${p} pixels in a random direction with zero fill ${tail}`;
    case 'gaussian-blur':
      return `Gaussian blur with sigma = ${p} pixels, edges clamped ${tail}`;
    case 'rotate':
      return `each image rotated by ${p} degrees, clockwise or anticlockwise at random, about its centre (bilinear, zero fill) ${tail}`;
  }
}

/**
 * Checks a {@link ShiftSpec} before any image is touched.
 *
 * @throws {InvalidInputError} unless `shift` is a valid {@link ShiftSpec}.
 * @example
 * checkShiftSpec('myLoader', { kind: 'translate', severity: 2, seed: 0 });
 */
export function checkShiftSpec(api: string, shift: ShiftSpec): void {
  if (shift === null || typeof shift !== 'object') {
    throw new InvalidInputError(`${api}: shift must be an object { kind, severity, seed }, got ${JSON.stringify(shift)}.`);
  }
  if (!SHIFT_KINDS.includes(shift.kind)) {
    throw new InvalidInputError(
      `${api}: shift.kind must be one of ${SHIFT_KINDS.map((k) => `'${k}'`).join(', ')}, got ${JSON.stringify(shift.kind)}.`,
    );
  }
  if (!Number.isInteger(shift.severity) || shift.severity < 1 || shift.severity > 5) {
    throw new InvalidInputError(`${api}: shift.severity must be an integer from 1 to 5, got ${shift.severity}.`);
  }
  if (!Number.isSafeInteger(shift.seed)) {
    throw new InvalidInputError(`${api}: shift.seed must be a safe integer, got ${shift.seed}.`);
  }
}

/** The normalised 1-D Gaussian kernel of standard deviation `sigma`, radius ceil(3 sigma). */
function gaussianKernel(sigma: number): Float64Array {
  const radius = Math.ceil(3 * sigma);
  const kernel = new Float64Array(2 * radius + 1);
  let sum = 0;
  for (let i = -radius; i <= radius; i++) sum += kernel[i + radius] = Math.exp(-(i * i) / (2 * sigma * sigma));
  for (let i = 0; i < kernel.length; i++) kernel[i] /= sum;
  return kernel;
}

/** Separable blur of one plane: rows into `scratch`, then columns into `out`; indices past an edge read the edge. */
function blurPlane(input: Uint8Array, out: Uint8Array, height: number, width: number, kernel: Float64Array, scratch: Float64Array): void {
  const radius = (kernel.length - 1) / 2;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let sum = 0;
      for (let k = -radius; k <= radius; k++) sum += kernel[k + radius] * input[y * width + Math.min(width - 1, Math.max(0, x + k))];
      scratch[y * width + x] = sum;
    }
  }
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let sum = 0;
      for (let k = -radius; k <= radius; k++) sum += kernel[k + radius] * scratch[Math.min(height - 1, Math.max(0, y + k)) * width + x];
      out[y * width + x] = clampByte(sum);
    }
  }
}

/**
 * Rotates one plane by `angle` radians (positive: anticlockwise as displayed, y pointing down) about its centre
 * ((width - 1) / 2, (height - 1) / 2): each output pixel samples the input bilinearly at the inversely rotated
 * position; positions outside the image read 0.
 */
function rotatePlane(input: Uint8Array, out: Uint8Array, height: number, width: number, angle: number): void {
  const cx = (width - 1) / 2;
  const cy = (height - 1) / 2;
  const cos = Math.cos(angle);
  const sin = Math.sin(angle);
  const at = (x: number, y: number) => (x >= 0 && x < width && y >= 0 && y < height ? input[y * width + x] : 0);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const dx = x - cx;
      const dy = y - cy;
      // Inverse of the displayed anticlockwise rotation (y down): source = R(angle) applied with y flipped.
      const sx = cx + cos * dx - sin * dy;
      const sy = cy + sin * dx + cos * dy;
      const x0 = Math.floor(sx);
      const y0 = Math.floor(sy);
      const fx = sx - x0;
      const fy = sy - y0;
      const value =
        (1 - fx) * (1 - fy) * at(x0, y0) + fx * (1 - fy) * at(x0 + 1, y0) + (1 - fx) * fy * at(x0, y0 + 1) + fx * fy * at(x0 + 1, y0 + 1);
      out[y * width + x] = clampByte(value);
    }
  }
}

function clampByte(value: number): number {
  return value <= 0 ? 0 : value >= 255 ? 255 : Math.round(value);
}

/** Box-Muller transform; `1 - rng()` keeps the logarithm's argument in (0, 1]. */
function standardNormal(rng: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
}
