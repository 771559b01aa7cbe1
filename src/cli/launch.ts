// dist/cli.js, what `parprof` runs: it starts the CLI's bundle (dist/cli-main.js, built from
// main.ts) from a V8 code cache when it has one. Compiling the 340 kB bundle and the functions a
// `record` calls first (the report build, analyze, the summary) is ~10 ms of the CLI's ~95 ms of
// CPU a run (measured on examples/mandelbrot.js, Node 20: 93 -> 83 ms, medians of 10); every
// `parprof record` costs that much more than `node --cpu-prof` on the same job.
//
// The cache is the user's own: $XDG_CACHE_HOME (else ~/.cache)/parallel-profiler, one file per
// command (record, report, ...: each compiles other functions), bundle (its size and mtime), Node
// version and architecture. V8 checks what it can (its version, flags, the source's length) and
// rejects a cache that does not fit; the key covers the rest. It is written once, at the first
// run's exit (so it holds the functions that run compiled), to a temporary name then renamed, so a
// run never reads half a file; the command's older files (other builds, other Nodes) go then.
// Anything wrong with the cache: the bundle is loaded the ordinary way.
//
// `parprof record` starts the script first, then loads the bundle while the script runs: loading
// it (~25-40 ms) is then no longer part of every recording's wall time. The command line is parsed
// by the same parser main uses; one that it refuses, or a run that cannot start (a missing script,
// an unwritable --out), is left to main, which refuses it the same way, and nothing is spawned.
import { mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import Module, { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { Script } from 'node:vm';
import { parseArgs } from './args';
import { startRecord, type RecordStart } from './record-start';

const bundle = join(__dirname, 'cli-main.js');
const COMMANDS = ['record', 'report', 'sweep', 'ab', 'compare', 'export'];
/** The cache files of this command start so. */
const prefix = `cli-${COMMANDS.includes(process.argv[2] ?? '') ? process.argv[2] : 'other'}-`;

/** Where the cache of this bundle for this Node lives; undefined when there is no user cache folder. */
function cachePath(): string | undefined {
  const base = process.env.XDG_CACHE_HOME || (homedir() ? join(homedir(), '.cache') : '');
  if (!base) return undefined;
  const s = statSync(bundle);
  return join(base, 'parallel-profiler', `${prefix}${process.version}-${process.arch}-${s.size}-${Math.round(s.mtimeMs)}.v8cache`);
}

/** The bundle compiled, from the cache when it fits; undefined when it must be loaded the ordinary way. */
function compile(): ((...args: unknown[]) => void) | undefined {
  try {
    const path = cachePath();
    if (!path) return undefined;
    let cachedData: Buffer | undefined;
    try { cachedData = readFileSync(path); } catch { /* first run with this bundle and Node */ }
    const script = new Script(Module.wrap(readFileSync(bundle, 'utf8')), { filename: bundle, cachedData });
    if (!cachedData || script.cachedDataRejected) {
      process.once('exit', () => {
        try {
          mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
          const temporary = `${path}.${process.pid}`;
          writeFileSync(temporary, script.createCachedData(), { mode: 0o600 });
          renameSync(temporary, path);
          for (const old of readdirSync(dirname(path))) {
            if (old.startsWith(prefix) && old.endsWith('.v8cache') && join(dirname(path), old) !== path) rmSync(join(dirname(path), old), { force: true });
          }
        } catch { /* no cache this time: the next run compiles again */ }
      });
    }
    return script.runInThisContext() as (...args: unknown[]) => void;
  } catch {
    return undefined;
  }
}

/** The script of a `record` command line, started; undefined for any other command, or when main must say why not. */
function startEarly(argv: string[]): RecordStart | undefined {
  if (argv[0] !== 'record') return undefined;
  try {
    const c = parseArgs(argv);
    return c.cmd === 'record' ? startRecord(c) : undefined;
  } catch {
    return undefined;
  }
}

/** What the bundle (src/cli/main.ts) exports. */
interface CliBundle { runCli(argv: string[], started?: RecordStart): void }

/** The bundle's exports, loaded from the code cache when it fits. */
function loadBundle(): CliBundle {
  const run = compile();
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  if (!run) return require(bundle) as CliBundle;
  // What Node's loader would hand the bundle's module wrapper: exports, require, module, file, folder.
  const m = new Module(bundle, module);
  m.filename = bundle;
  run.call(m.exports, m.exports, createRequire(bundle), m, bundle, __dirname);
  return m.exports as CliBundle;
}

const argv = process.argv.slice(2);
const started = startEarly(argv);
let cli: CliBundle | undefined;
try {
  cli = loadBundle();
} catch (err) {
  if (!started) throw err;
  // A script already runs, in a process group of its own: stop it rather than orphan it.
  process.stderr.write(`parprof: cannot load ${bundle} (${(err as Error).message}); stopping the script\n`);
  started.abandon();
  void started.run.ended.catch(() => undefined).then(() => {
    started.run.cleanUp();
    process.exit(2);
  });
}
cli?.runCli(argv, started);
