// ESM loader hooks (module.register, Node >= 20.6), registered by the preload on the main thread.
// They run on Node's hooks thread: resolve the bare specifier 'parallel-profiler' to this
// package's runtime, and transpile .ts/.mts/.cts with esbuild (source maps go to the spool).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { threadId } from 'node:worker_threads';
import { recordSourceMap, transpile } from './recorder-typescript';

interface HookData { runtimeUrl: string; spool: string }
type Next<A, R> = (a: A, context: unknown) => Promise<R>;
interface Resolved { url: string; format?: string | null; shortCircuit?: boolean }
interface Loaded { format: string; source?: string | Buffer; shortCircuit?: boolean }

let data: HookData | undefined;
let counter = 0;

export async function initialize(d: HookData): Promise<void> {
  data = d;
}

export async function resolve(specifier: string, context: unknown, next: Next<string, Resolved>): Promise<Resolved> {
  if (data && specifier === 'parallel-profiler') {
    try {
      return await next(specifier, context);
    } catch {
      // Not installed next to the script: use the profiler's own copy.
      return { url: data.runtimeUrl, format: 'commonjs', shortCircuit: true };
    }
  }
  return next(specifier, context);
}

export async function load(url: string, context: { format?: string | null }, next: Next<string, Loaded>): Promise<Loaded> {
  if (data && url.startsWith('file:') && /\.(ts|mts|cts)$/.test(url)) {
    const file = fileURLToPath(url);
    const format = url.endsWith('.cts') ? 'cjs' : 'esm';
    const { code, map } = transpile(readFileSync(file, 'utf8'), file, format);
    // Every thread that loads ES modules has its own hooks thread: its threadId keeps names apart.
    recordSourceMap(data.spool, `esm-${threadId}-${counter++}`, file, map);
    return { format: format === 'cjs' ? 'commonjs' : 'module', source: code, shortCircuit: true };
  }
  return next(url, context);
}
