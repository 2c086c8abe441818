/** The name the fast CPU backend is registered under with tfjs-core (`tf.getBackend()` returns it when active). */
export const FAST_CPU_BACKEND = 'fast-cpu';
