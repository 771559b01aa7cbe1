// Where the package's own files are, for code bundled anywhere (CLI, extension, tests).
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

let cached: string | undefined;

/** Root of the parallel-profiler package: the nearest package.json named parallel-profiler above this file. */
export function packageRoot(): string {
  if (cached) return cached;
  let dir = __dirname;
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest)) {
      try {
        if ((JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'parallel-profiler') return (cached = dir);
      } catch { /* unreadable manifest: keep walking */ }
    }
    const up = dirname(dir);
    if (up === dir) throw new Error(`cannot find the parallel-profiler package above ${__dirname}`);
    dir = up;
  }
}

/** dist/runtime/preload.js, the file NODE_OPTIONS --require loads on every thread. */
export function preloadPath(): string {
  return join(packageRoot(), 'dist', 'runtime', 'preload.js');
}

/** Version of this package, recorded in every report. */
export function packageVersion(): string {
  try {
    return (JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}
