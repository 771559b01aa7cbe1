// Worker entry of ThreadPool (dist/runtime/worker.js). Loads the task module once, then runs
// operations the pool posts: each one a synchronous loop over the worker's chunks, results
// batched into one `done` message per operation.
import { parentPort, workerData, threadId } from 'node:worker_threads';
import { pathToFileURL } from 'node:url';
import { getRecorder, LOADING_TASK_MODULE_KEY } from './contract';
import { NO_INDEX, thrownText, type CombineMessage, type FromWorker, type OpMessage, type ToWorker } from './pool-protocol';
import { runOperation } from './pool-run';

/** What the pool passes in workerData. */
export interface WorkerInit {
  /** Absolute path or file URL of the task module. */
  module: string;
}

// Kept out of esbuild's sight: bundled to CommonJS, a literal import() would become require(),
// which cannot load ES modules.
const importModule = new Function('specifier', 'return import(specifier)') as (s: string) => Promise<Record<string, unknown>>;

async function loadTaskModule(spec: string): Promise<Record<string, unknown>> {
  if (spec.startsWith('file:')) return importModule(spec);
  if (/\.m[jt]s$/.test(spec)) return importModule(pathToFileURL(spec).href);
  try {
    return require(spec) as Record<string, unknown>;
  } catch (e) {
    if ((e as { code?: string }).code === 'ERR_REQUIRE_ESM') return importModule(pathToFileURL(spec).href);
    throw e;
  }
}

const init = workerData as WorkerInit;
const port = parentPort!;
let exported: Record<string, unknown> | undefined;
let loadError: unknown;
// While the module loads, a ThreadPool made by its top-level code is refused (pool.ts): it would
// start in every worker, and again in each of theirs, until the machine runs out of memory.
const loading = globalThis as Record<symbol, unknown>;
loading[LOADING_TASK_MODULE_KEY] = init.module;
const loaded = loadTaskModule(init.module).then((m) => { exported = m; }, (e) => { loadError = e; })
  .finally(() => { delete loading[LOADING_TASK_MODULE_KEY]; });
// The pool starts its first operation once every worker is ready, so that thread start-up and
// module loading are not counted as the operation's queue wait.
// It says when it was ready by its own clock: the pool's thread may be busy when the message comes.
void loaded.then(() => port.postMessage({ type: 'ready', op: -1, at: readyAt() } satisfies FromWorker));

function readyAt(): number | undefined {
  try {
    return getRecorder()?.now();
  } catch {
    return undefined;
  }
}

/** The exported task function `name`, looked up in named exports, then in a CommonJS default export. */
function taskFunction(name: string): (...args: unknown[]) => unknown {
  if (loadError !== undefined) {
    const e = loadError as Error;
    throw new Error(`cannot load task module ${init.module}: ${e?.message ?? String(e)}`, { cause: loadError });
  }
  const mod = exported!;
  const dflt = mod.default as Record<string, unknown> | undefined;
  const fn = mod[name] ?? (dflt && typeof dflt === 'object' ? dflt[name] : undefined) ?? (typeof dflt === 'function' ? (dflt as unknown as Record<string, unknown>)[name] : undefined);
  if (typeof fn !== 'function') {
    const names = Object.keys(mod).filter((k) => typeof mod[k] === 'function');
    throw new Error(`task module ${init.module} has no exported function '${name}' (functions: ${names.join(', ') || 'none'})`);
  }
  return fn as (...args: unknown[]) => unknown;
}

function post(msg: FromWorker): void {
  port.postMessage(msg);
}

function combine(m: CombineMessage): void {
  try {
    const fn = taskFunction(m.fn);
    let acc = m.values[0];
    for (let k = 1; k < m.values.length; k++) acc = fn(acc, m.values[k]);
    post({ type: 'combined', op: m.op, value: acc });
  } catch (e) {
    // (A combined value the structured clone cannot copy lands here too: said in words.)
    const err = e as Error;
    post({ type: 'combined', op: m.op, error: { message: thrownText(e), stack: err instanceof Error ? err.stack : undefined } });
  }
}

function operation(m: OpMessage): void {
  let fn: (...args: unknown[]) => unknown;
  try {
    fn = taskFunction(m.fn);
  } catch (e) {
    const err = e as Error;
    post({ type: 'error', op: m.op, index: NO_INDEX, task: NO_INDEX, message: err.message, stack: err.stack });
    post({ type: 'done', op: m.op, parts: [], tasks: 0, steals: 0 });
    return;
  }
  const recorder = m.region >= 0 ? getRecorder() : undefined;
  const { parts, tasks, steals } = runOperation(m, fn, threadId, recorder, (index, task, e) => {
    post({ type: 'error', op: m.op, index, task, message: thrownText(e), stack: e instanceof Error ? e.stack : undefined });
  });
  try {
    post({ type: 'done', op: m.op, parts, tasks, steals });
  } catch (e) {
    // A result the structured clone cannot copy (a function, a symbol): the operation fails in
    // words, and the worker lives on (an uncaught DataCloneError here ended it with "[object Object]").
    post({ type: 'error', op: m.op, index: NO_INDEX, task: NO_INDEX, stack: undefined,
      message: `a result could not be sent back to the calling thread: ${thrownText(e)} (results are copied by the structured clone algorithm: no functions or symbols)` });
    post({ type: 'done', op: m.op, parts: [], tasks, steals });
  }
  // Idle workers are unref'd and may be cut off at process exit: hand spans over now.
  if (recorder) recorder.flush();
}

port.on('message', (m: ToWorker) => {
  if (m.type === 'close') {
    try { getRecorder()?.flush(); } catch { /* the recorder reports its own failures */ }
    port.close();
    return;
  }
  // The module loads once; messages that arrive before it has loaded wait for it, in order.
  void loaded.then(() => (m.type === 'op' ? operation(m) : combine(m)));
});
