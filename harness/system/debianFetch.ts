/**
 * Debian packages fetched without root: `apt-get download` into the project's cache, verified against the
 * archive's package index, then unpacked with `dpkg-deb -x`. Used by the Fashion-MNIST loader and by the native
 * libraries (XGBoost, OpenBLAS) when the system has no copy.
 *
 * What works without root (checked as a non-root user on Debian 12):
 * - `apt-get download P` works with the system's package lists when they exist (they are readable by everyone).
 * - `apt-get update` needs root for the system lists (`/var/lib/apt/lists/lock: Permission denied`), but works
 *   without root into a private folder: `-o Dir::State::Lists=<dir> -o Dir::Cache=<dir> -o Debug::NoLocking=1`.
 *   The archive's signatures are still checked with the system's keyring. A fresh container has no lists at all,
 *   so this is how a non-root user gets them.
 * - `dpkg-deb -x` unpacks a package anywhere without root.
 *
 * Verification: the sha256 of each downloaded `.deb` must equal the `SHA256` field of that package version in the
 * package index that `apt-get` used (the index is itself signed). The unpacked libraries' sha256 are recorded too
 * and checked again whenever a library is loaded from the cache.
 *
 * Cache layout (`<repo>/.cache/debian/` by default):
 * - `<package>_<version>_<arch>/` the unpacked tree, with `.hypotest-package.json` (its {@link DebianPackageProvenance});
 * - `<package>.closure.json` the package and the dependencies fetched with it, dependencies first.
 * Every folder is written under a temporary name and renamed into place, so concurrent workers never see half a package.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { HypotestError } from '../errors.ts';

/** A Debian package could not be downloaded, verified or unpacked; the message lists every step tried. */
export class DebianFetchError extends HypotestError {}

/** Default cache of fetched packages: `<repo>/.cache/debian`. */
export const DEBIAN_CACHE_DIR = fileURLToPath(new URL('../../.cache/debian', import.meta.url));

/**
 * Packages never fetched as dependencies: the C and C++ runtimes every Node.js binary already loads. Loading a
 * second copy of libc into the process would break it.
 */
export const BASE_PACKAGES: readonly string[] = ['libc6', 'libgcc-s1', 'libstdc++6', 'gcc-12-base', 'gcc-13-base', 'gcc-14-base', 'libcrypt1', 'zlib1g'];

/** Where a fetched package came from and what it contained: stored in run records' `environment.debianPackages`. */
export interface DebianPackageProvenance {
  readonly package: string;
  readonly version: string;
  readonly architecture: string;
  /** sha256 of the `.deb`, equal to the archive index's `SHA256` field (checked at download). */
  readonly sha256: string;
  /** How the package lists were obtained: the system's, or a private `apt-get update` without root. */
  readonly lists: 'system' | 'private';
  /** UTC time of the download. */
  readonly fetchedAt: string;
  /** sha256 of every shared library (`lib*.so*`, regular files) in the package, by path inside the package. */
  readonly libraries: Readonly<Record<string, string>>;
}

/** A package in the cache: its provenance and the folder it is unpacked in. */
export interface CachedDebianPackage {
  readonly provenance: DebianPackageProvenance;
  /** Root of the unpacked tree (paths inside the package are relative to it). */
  readonly root: string;
}

/** Options of the fetch functions; every field is optional and defaults to the documented behaviour. */
export interface DebianFetchOptions {
  /** Cache folder. Default: {@link DEBIAN_CACHE_DIR}. */
  readonly cacheDir?: string;
  /**
   * Whether a package is installed on the system (then it is not fetched as a dependency). Default: `dpkg-query`
   * says `install ok installed`. Tests inject `() => false` to fetch the whole closure.
   */
  readonly isInstalled?: (name: string) => boolean;
  /** Try the system's package lists first. Default: true. False goes straight to a private `apt-get update`. */
  readonly systemLists?: boolean;
  /** Follow `Depends` (first alternative, unless another is installed). Default: true. */
  readonly dependencies?: boolean;
}

/**
 * `HYPOTEST_IGNORE_SYSTEM_PACKAGES=1` makes the loaders act as on a fresh machine: the system's copies of the dataset,
 * OpenBLAS and XGBoost are not looked at, and no Debian package counts as installed (except {@link BASE_PACKAGES}),
 * so everything comes from the project's cache or is fetched without root. For checking that path without
 * uninstalling anything.
 */
export const IGNORE_SYSTEM_ENV_VAR = 'HYPOTEST_IGNORE_SYSTEM_PACKAGES';

/** Whether {@link IGNORE_SYSTEM_ENV_VAR} is set to 1. */
export function ignoringSystemPackages(): boolean {
  return process.env[IGNORE_SYSTEM_ENV_VAR] === '1';
}

const TIMEOUT_MS = 300_000;
const PROVENANCE_FILE = '.hypotest-package.json';

/**
 * Returns the package (and the dependencies fetched with it) from the cache, or null when it is not there or
 * incomplete. Dependencies come first, so loading libraries in this order satisfies each from the ones before.
 *
 * @throws {DebianFetchError} when a cached library's sha256 differs from the one recorded at download.
 * @example
 * const closure = cachedDebianPackage('libxgboost0'); // [libgomp1, libdmlc0, libxgboost0] or null
 */
export function cachedDebianPackage(name: string, options: Pick<DebianFetchOptions, 'cacheDir'> = {}): CachedDebianPackage[] | null {
  const cacheDir = options.cacheDir ?? DEBIAN_CACHE_DIR;
  const closureFile = join(cacheDir, `${name}.closure.json`);
  if (!existsSync(closureFile)) return null;
  let dirs: string[];
  try {
    dirs = (JSON.parse(readFileSync(closureFile, 'utf8')) as { packages: string[] }).packages;
  } catch {
    return null;
  }
  const out: CachedDebianPackage[] = [];
  for (const dir of dirs) {
    const root = join(cacheDir, dir);
    const file = join(root, PROVENANCE_FILE);
    if (!existsSync(file)) return null;
    const provenance = JSON.parse(readFileSync(file, 'utf8')) as DebianPackageProvenance;
    for (const [path, expected] of Object.entries(provenance.libraries)) {
      const actual = existsSync(join(root, path)) ? sha256File(join(root, path)) : 'missing';
      if (actual !== expected) {
        throw new DebianFetchError(
          `debianFetch: ${join(root, path)} (package ${provenance.package} ${provenance.version}) has sha256 ${actual}, but ${expected} was recorded when it was downloaded. ` +
            `Fix: delete ${root} and ${closureFile} so the package is fetched again.`,
        );
      }
    }
    out.push({ provenance, root });
  }
  return out;
}

/**
 * Fetches a package and its dependencies that the system lacks into the cache, without root, and returns them
 * dependencies first. Returns the cached copy when there is one.
 *
 * Steps: `apt-get download` with the system's lists; when that fails (no lists, stale lists), a private
 * `apt-get update` into a temporary folder of the cache (no root needed) and `apt-get download` with those lists.
 * Each `.deb` is checked against the index's sha256, unpacked with `dpkg-deb -x`, and its libraries hashed.
 *
 * @throws {DebianFetchError} naming the package, every step tried and its error, and what to do instead.
 * @example
 * const closure = fetchDebianPackage('libopenblas0-serial'); // [libquadmath0?, libgfortran5?, libopenblas0-serial]
 */
export function fetchDebianPackage(name: string, options: DebianFetchOptions = {}): CachedDebianPackage[] {
  const cacheDir = options.cacheDir ?? DEBIAN_CACHE_DIR;
  const cached = cachedDebianPackage(name, { cacheDir });
  if (cached) return cached;
  mkdirSync(cacheDir, { recursive: true });
  const isInstalled = options.isInstalled ?? isInstalledOnSystem;
  const apt = new AptSession(cacheDir, options.systemLists ?? true);
  try {
    const order: CachedDebianPackage[] = [];
    const seen = new Set<string>();
    const visit = (pkg: string, chain: readonly string[]) => {
      if (seen.has(pkg)) return;
      seen.add(pkg);
      const fetched = apt.fetch(pkg, cacheDir, chain);
      if (options.dependencies !== false) {
        for (const alternatives of parseDepends(fetched.depends)) {
          if (alternatives.some((alt) => BASE_PACKAGES.includes(alt) || isInstalled(alt))) continue;
          visit(alternatives[0], [...chain, pkg]);
        }
      }
      order.push(fetched.cached);
    };
    visit(name, []);
    writeAtomically(join(cacheDir, `${name}.closure.json`), `${JSON.stringify({ package: name, packages: order.map((p) => relative(cacheDir, p.root)) }, null, 2)}\n`);
    return order;
  } finally {
    apt.close();
  }
}

/**
 * The path of a file named `fileName` inside a fetched package (searched below the unpacked tree), or undefined.
 * Regular files and symbolic links count (Debian ships sonames as links).
 *
 * @example
 * findInPackage(closure.at(-1)!, 'libxgboost.so.0') // '<cache>/libxgboost0_1.7.4-1_amd64/usr/lib/x86_64-linux-gnu/libxgboost.so.0'
 */
export function findInPackage(pkg: CachedDebianPackage, fileName: string, under = ''): string | undefined {
  const found = walk(join(pkg.root, under)).filter((path) => path.endsWith(`/${fileName}`));
  found.sort((a, b) => a.length - b.length || a.localeCompare(b));
  return found[0];
}

/**
 * The shared-library sonames a fetched package provides (`lib<name>.so.<major>`), as absolute paths: what must be
 * loaded, in closure order, before a library that depends on them.
 */
export function sonamesIn(pkg: CachedDebianPackage): string[] {
  return walk(pkg.root).filter((path) => /\/lib[^/]*\.so\.\d+$/.test(path)).sort();
}

/** Options of {@link debianLibrary}: the fetch options, plus whether fetching is allowed at all. */
export interface DebianLibraryOptions extends DebianFetchOptions {
  /** Fetch when the cache has no copy. Default: true, unless `HYPOTEST_DEBIAN_FETCH=0`. */
  readonly fetch?: boolean;
}

/** What {@link debianLibrary} loaded: the library's path, how it was obtained, and the packages it came from. */
export interface DebianLibrary {
  /** Absolute path of the library inside the cache; hand it to the dynamic loader. */
  readonly path: string;
  readonly origin: 'cache' | 'fetch';
  /** The package and the dependencies fetched with it, dependencies first. */
  readonly packages: readonly DebianPackageProvenance[];
}

/**
 * A shared library from a fetched Debian package, ready to load: the cached copy, else fetched without root
 * ({@link fetchDebianPackage}). The dependencies fetched with it are loaded first with `preload` (in closure
 * order), so that the dynamic loader finds them by soname when the library itself is loaded: the cache is never
 * on `LD_LIBRARY_PATH`, which a running process cannot change. Once the library has loaded, the caller records the
 * packages for the run records with {@link recordDebianPackagesInUse}.
 *
 * @throws {DebianFetchError} when the package is not cached and cannot be fetched (or fetching is off), or has no
 *   file named `fileName` (below `under`).
 * @example
 * const { path } = debianLibrary({ package: 'libxgboost0', fileName: 'libxgboost.so.0', preload: koffi.load });
 */
export function debianLibrary(
  spec: { package: string; fileName: string; under?: string; preload: (path: string) => unknown },
  options: DebianLibraryOptions = {},
): DebianLibrary {
  const cacheDir = options.cacheDir ?? DEBIAN_CACHE_DIR;
  let closure = cachedDebianPackage(spec.package, { cacheDir });
  let origin: DebianLibrary['origin'] = 'cache';
  if (closure === null) {
    const allowed = options.fetch ?? process.env.HYPOTEST_DEBIAN_FETCH !== '0';
    if (!allowed) {
      throw new DebianFetchError(`debianFetch: ${spec.package} is not in the cache ${cacheDir}, and fetching is off (${options.fetch === false ? 'fetch: false' : 'HYPOTEST_DEBIAN_FETCH=0'}).`);
    }
    closure = fetchDebianPackage(spec.package, options);
    origin = 'fetch';
  }
  const main = closure[closure.length - 1];
  const path = findInPackage(main, spec.fileName, spec.under);
  if (path === undefined) {
    throw new DebianFetchError(`debianFetch: the package ${spec.package} ${main.provenance.version} in ${main.root} has no ${spec.fileName}${spec.under ? ` below ${spec.under}` : ''}.`);
  }
  for (const dependency of closure.slice(0, -1)) for (const library of sonamesIn(dependency)) spec.preload(library);
  return { path, origin, packages: closure.map((p) => p.provenance) };
}

// ---------------------------------------------------------------------------------------------------------
// Provenance of this process: which fetched packages it uses (read by the cell runner into run records).

const USE_KEY = Symbol.for('hypotest.system.debianPackagesInUse');
const globalUse = globalThis as unknown as Record<symbol, Map<string, DebianPackageProvenance & { for: string }> | undefined>;
const inUse = (globalUse[USE_KEY] ??= new Map());

/**
 * Notes that this process uses fetched packages for `purpose` (e.g. `'xgboost'`); {@link debianPackagesInUse}
 * returns them for the run records' environment.
 */
export function recordDebianPackagesInUse(purpose: string, packages: readonly DebianPackageProvenance[]): void {
  for (const p of packages) inUse.set(`${p.package}_${p.version}_${p.architecture}`, { ...p, for: purpose });
}

/**
 * The fetched packages this process has loaded, sorted by name (empty when everything came from the system).
 *
 * @example
 * record.environment.debianPackages = debianPackagesInUse(); // [{ package: 'libxgboost0', version: '1.7.4-1', sha256: '…', for: 'xgboost', … }]
 */
export function debianPackagesInUse(): (DebianPackageProvenance & { for: string })[] {
  return [...inUse.values()].sort((a, b) => a.package.localeCompare(b.package));
}

// ---------------------------------------------------------------------------------------------------------

/** Whether dpkg lists the package as installed (false where dpkg-query is missing). */
export function isInstalledOnSystem(name: string): boolean {
  if (ignoringSystemPackages()) return false;
  try {
    const status = execFileSync('dpkg-query', ['-W', '-f=${Status}', name], { stdio: ['ignore', 'pipe', 'ignore'], encoding: 'utf8' });
    return status.trim() === 'install ok installed';
  } catch {
    return false;
  }
}

/**
 * `Depends` field → groups of alternatives, version constraints and architecture qualifiers dropped.
 *
 * @example
 * parseDepends('libc6 (>= 2.34), libopenblas0-pthread | libopenblas0-serial') // [['libc6'], ['libopenblas0-pthread', 'libopenblas0-serial']]
 */
export function parseDepends(field: string): string[][] {
  return field
    .split(',')
    .map((group) => group.split('|').map((alt) => alt.trim().replace(/\s*\(.*\)$/, '').replace(/:\S+$/, '').trim()).filter(Boolean))
    .filter((group) => group.length > 0);
}

/** One fetch: the lists in use (system first, else a private update made on demand) and a scratch folder. */
class AptSession {
  private privateDir: string | null = null;
  private privateListsFailed = false;
  private useSystem: boolean;
  private readonly attempts: string[] = [];

  constructor(private readonly cacheDir: string, systemLists: boolean) {
    this.useSystem = systemLists;
  }

  fetch(pkg: string, cacheDir: string, chain: readonly string[]): { cached: CachedDebianPackage; depends: string } {
    const work = mkdtempSync(join(cacheDir, '.fetch-'));
    try {
      const deb = this.download(pkg, work, chain);
      const field = (key: string) => run('dpkg-deb', ['-f', deb, key]).trim();
      const version = field('Version');
      const architecture = field('Architecture');
      const depends = field('Depends');
      const digest = sha256File(deb);
      const indexed = this.indexSha256(pkg, version, architecture);
      if (!indexed.includes(digest)) {
        throw new DebianFetchError(
          `debianFetch: ${pkg} ${version} (${architecture}) downloaded with sha256 ${digest}, but the package index lists ${indexed.join(' or ') || 'no sha256'}: ` +
            'the download is damaged or not the archive\'s package. Fix: run the command again; if it persists, install the package with apt-get install.',
        );
      }
      const unpacked = join(work, 'root');
      try {
        run('dpkg-deb', ['-x', deb, unpacked]);
      } catch (error) {
        throw new DebianFetchError(`debianFetch: dpkg-deb -x ${deb} failed (${lastLine(error)}).`);
      }
      const libraries: Record<string, string> = {};
      for (const path of walk(unpacked)) {
        if (/\/lib[^/]*\.so(\.[\d.]+)?$/.test(path) && lstatSync(path).isFile()) libraries[relative(unpacked, path)] = sha256File(path);
      }
      const provenance: DebianPackageProvenance = {
        package: pkg, version, architecture, sha256: digest, lists: this.useSystem ? 'system' : 'private', fetchedAt: new Date().toISOString(), libraries,
      };
      writeFileSync(join(unpacked, PROVENANCE_FILE), `${JSON.stringify(provenance, null, 2)}\n`);
      const target = join(cacheDir, `${pkg}_${version.replace(/:/g, '%3a')}_${architecture}`);
      try {
        renameSync(unpacked, target);
      } catch (error) {
        // Another worker put the same package in place first: use theirs (same version, same index sha256).
        if (!existsSync(join(target, PROVENANCE_FILE))) throw error;
      }
      return { cached: { provenance: JSON.parse(readFileSync(join(target, PROVENANCE_FILE), 'utf8')) as DebianPackageProvenance, root: target }, depends };
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  }

  close(): void {
    if (this.privateDir) rmSync(this.privateDir, { recursive: true, force: true });
    this.privateDir = null;
  }

  private download(pkg: string, work: string, chain: readonly string[]): string {
    const neededBy = chain.length > 0 ? ` (needed by ${chain.join(' → ')})` : '';
    if (this.useSystem) {
      try {
        run('apt-get', ['download', pkg], work);
        return this.debIn(work, pkg);
      } catch (error) {
        this.attempts.push(`apt-get download ${pkg} with the system's package lists: ${lastLine(error)}`);
        this.useSystem = false;
      }
    }
    let listsReady = false;
    try {
      this.ensurePrivateLists();
      listsReady = true;
      run('apt-get', [...this.privateOptions(), 'download', pkg], work);
      return this.debIn(work, pkg);
    } catch (error) {
      // A failed private update is already listed by ensurePrivateLists.
      if (listsReady) this.attempts.push(`apt-get download ${pkg} with private package lists: ${lastLine(error)}`);
    }
    throw new DebianFetchError(
      `debianFetch: could not download the Debian package ${pkg}${neededBy} without root. Tried, in order:\n` +
        this.attempts.map((line, i) => `  ${i + 1}. ${line}`).join('\n') +
        `\nFix: install it as root (apt-get install ${pkg}), or make Debian's archive reachable from this machine.`,
    );
  }

  private ensurePrivateLists(): void {
    if (this.privateDir) {
      if (this.privateListsFailed) throw new Error('the private package lists could not be made (above)');
      return;
    }
    const dir = mkdtempSync(join(this.cacheDir, '.apt-'));
    mkdirSync(join(dir, 'lists', 'partial'), { recursive: true });
    mkdirSync(join(dir, 'cache', 'archives', 'partial'), { recursive: true });
    this.privateDir = dir;
    try {
      run('apt-get', [...this.privateOptions(), 'update']);
    } catch (error) {
      this.privateListsFailed = true;
      this.attempts.push(`apt-get update into private lists ${join(dir, 'lists')} (no root needed): ${lastLine(error)}`);
      throw error;
    }
  }

  private privateOptions(): string[] {
    const dir = this.privateDir!;
    return ['-o', `Dir::State::Lists=${join(dir, 'lists')}`, '-o', `Dir::Cache=${join(dir, 'cache')}`, '-o', 'Debug::NoLocking=1', '-q'];
  }

  private indexSha256(pkg: string, version: string, architecture: string): string[] {
    const options = this.useSystem ? [] : this.privateOptions();
    let text = '';
    try {
      text = run('apt-cache', [...options, 'show', `${pkg}:${architecture}=${version}`]);
    } catch {
      text = run('apt-cache', [...options, 'show', `${pkg}=${version}`]);
    }
    return [...text.matchAll(/^SHA256: ([0-9a-f]{64})$/gm)].map((m) => m[1]);
  }

  private debIn(work: string, pkg: string): string {
    const deb = readdirSync(work).find((name) => name.startsWith(`${pkg}_`) && name.endsWith('.deb'));
    if (deb === undefined) throw new Error(`apt-get download left no ${pkg}_*.deb in ${work}`);
    return join(work, deb);
  }
}

function run(command: string, args: readonly string[], cwd?: string): string {
  return execFileSync(command, args, { cwd, encoding: 'utf8', timeout: TIMEOUT_MS, stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 * 1024 * 1024 });
}

function sha256File(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

function walk(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...walk(path));
    else out.push(path);
  }
  return out;
}

function writeAtomically(path: string, text: string): void {
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, text);
  renameSync(temporary, path);
}

/** The last meaningful line of a failed command's stderr (apt's warnings, `W:`, dropped). */
export function lastLine(error: unknown): string {
  const e = error as { stderr?: string | Buffer; message?: string };
  const stderr = e.stderr === undefined ? '' : String(e.stderr);
  const text = stderr.trim() || e.message || String(error);
  const lines = text.trim().split('\n').filter((line) => !line.startsWith('W: '));
  return (lines.at(-1) ?? text).trim();
}
