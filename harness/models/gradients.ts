import { register } from 'node:module';
import * as tf from '@tensorflow/tfjs-core';
import { ModelError } from '../errors.ts';

/*
 * Why: tfjs-core's Node bundle (dist/tf-core.node.js) registers no gradient functions; the union package
 * `@tensorflow/tfjs` (which hypotest does not install) registers them by importing
 * `@tensorflow/tfjs-core/dist/register_all_gradients.js`. That file is ES-module source with extensionless
 * relative imports (`'./gradients/Abs_grad'`, `'../gradients'`), which Node's ESM resolver rejects. A
 * resolve hook scoped to files inside tfjs-core's dist folder retries such a specifier with `.js` appended;
 * everything else resolves as before. The module tree it loads shares tfjs-core's global engine and
 * registries (tfjs-core is built to tolerate several copies), so the gradients apply to every op.
 */
const RESOLVE_HOOK = `
export async function resolve(specifier, context, nextResolve) {
  try {
    return await nextResolve(specifier, context);
  } catch (error) {
    const retry = error && (error.code === 'ERR_MODULE_NOT_FOUND' || error.code === 'ERR_UNSUPPORTED_DIR_IMPORT')
      && specifier.startsWith('.') && !specifier.endsWith('.js')
      && typeof context.parentURL === 'string' && context.parentURL.includes('/@tensorflow/tfjs-core/dist/');
    if (retry) return nextResolve(specifier + '.js', context);
    throw error;
  }
}
`;

const STATE_KEY = Symbol.for('hypotest.models.gradients');
const globalState = globalThis as unknown as Record<symbol, { loading?: Promise<void>; hookRegistered?: boolean } | undefined>;
const state = (globalState[STATE_KEY] ??= {});

/** Kernels whose gradients hypotest's models need; one missing after loading means the registration failed. */
const REQUIRED: readonly string[] = [
  tf.BatchMatMul, tf.Add, tf.AddN, tf.Multiply, tf.Neg, tf.Sum, tf.Mean, tf.Max, tf.Exp, tf.Log, tf.Sub, tf.Erf, tf.Square, tf.Relu, tf.Reshape,
];

/**
 * Makes sure tfjs-core's gradient functions are registered (they are needed by `tf.variableGrads`), loading
 * `@tensorflow/tfjs-core/dist/register_all_gradients.js` once when they are not. Idempotent and cheap after
 * the first call; does nothing when another package (e.g. `@tensorflow/tfjs-node`) already registered them.
 *
 * @throws {ModelError} when the gradients cannot be loaded.
 * @example
 * await ensureGradients();
 * const { value, grads } = tf.variableGrads(loss);
 */
export async function ensureGradients(): Promise<void> {
  if (missingGradients().length === 0) return;
  state.loading ??= load();
  await state.loading;
}

/** Names from the required list whose gradient is not registered (empty when training can run). */
export function missingGradients(): string[] {
  return REQUIRED.filter((name) => tf.getGradient(name) === undefined);
}

async function load(): Promise<void> {
  try {
    if (!state.hookRegistered) {
      register(`data:text/javascript,${encodeURIComponent(RESOLVE_HOOK)}`);
      state.hookRegistered = true;
    }
    const specifier: string = '@tensorflow/tfjs-core/dist/register_all_gradients.js';
    await import(/* @vite-ignore */ specifier);
  } catch (error) {
    state.loading = undefined;
    throw new ModelError(
      `ensureGradients: could not load tfjs-core's gradient functions (${error instanceof Error ? error.message : String(error)}). ` +
        `Check that @tensorflow/tfjs-core 4.x is installed, or import '@tensorflow/tfjs' (which registers them) before training.`,
    );
  }
  const missing = missingGradients();
  if (missing.length > 0) {
    state.loading = undefined;
    throw new ModelError(`ensureGradients: loaded tfjs-core's gradients, but none is registered for ${missing.join(', ')}. Check the installed @tensorflow/tfjs-core version.`);
  }
}
