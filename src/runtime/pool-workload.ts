// workload(name, body): named entry points in a script. The VS Code Testing API finds
// `workload('name'` by text; PARPROF_WORKLOAD picks one to run.
import { isMainThread } from 'node:worker_threads';
import { ENV, getRecorder } from './contract';

/** Selects the one workload to run; unset runs them all in declaration order. */
export const WORKLOAD_ENV = ENV.workload;

const declared: string[] = [];
let chain: Promise<void> = Promise.resolve();
let matched = false;
let exitCheck = false;

/**
 * Declares a named workload. Runs `body` (awaited, one workload after another) when
 * PARPROF_WORKLOAD is unset or equals `name`. In worker threads it does nothing, so a script
 * can be its own task module. A failing body prints its error and sets process.exitCode = 1;
 * the next workload still runs.
 */
export function workload(name: string, body: () => unknown | Promise<unknown>): void {
  if (typeof name !== 'string' || name === '') throw new TypeError(`workload name must be a non-empty string, got ${String(name)}`);
  if (typeof body !== 'function') throw new TypeError(`workload '${name}': body must be a function, got ${typeof body}`);
  if (!isMainThread) return;
  declared.push(name);
  const wanted = process.env[WORKLOAD_ENV];
  if (wanted !== undefined && wanted !== '') {
    if (!exitCheck) {
      exitCheck = true;
      process.once('exit', () => {
        if (matched) return;
        process.stderr.write(`[parprof] no workload named '${wanted}' (declared: ${declared.map((d) => `'${d}'`).join(', ') || 'none'})\n`);
        process.exitCode = 1;
      });
    }
    if (name !== wanted || matched) return;
    matched = true;
  }
  chain = chain.then(() => run(name, body));
}

async function run(name: string, body: () => unknown): Promise<void> {
  try {
    getRecorder()?.marker('note', `workload ${name}`);
  } catch { /* recording is best effort */ }
  try {
    await body();
  } catch (e) {
    process.stderr.write(`workload '${name}' failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    try { getRecorder()?.marker('error', `workload ${name} failed`, (e as Error)?.stack); } catch { /* best effort */ }
    process.exitCode = 1;
  }
}
