// Runs TypeScript directly: CommonJS through require.extensions, ESM through the loader hooks in
// esm-hooks.ts. Every transpiled file's source map is also written to the spool
// (sourcemap-<id>.json) so the runner can map CPU profile frames back to .ts lines.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { warn } from './recorder';

type Transform = (code: string, options: Record<string, unknown>) => { code: string; map: string };

let esbuildTransform: Transform | undefined;
/** esbuild is loaded on first use: most scripts are JavaScript and never pay for it. */
export function transpile(code: string, file: string, format: 'cjs' | 'esm'): { code: string; map: string } {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  esbuildTransform ??= (require('esbuild') as { transformSync: Transform }).transformSync;
  const out = esbuildTransform(code, {
    loader: 'ts', format, sourcemap: 'external', sourcefile: file, target: `node${process.versions.node.split('.')[0]}`,
  });
  // Inline as well, so --enable-source-maps and stack traces point at the .ts file.
  const inline = `\n//# sourceMappingURL=data:application/json;base64,${Buffer.from(out.map).toString('base64')}`;
  return { code: out.code + inline, map: out.map };
}

/** Writes one source map to the spool, named by a run-unique id. */
export function recordSourceMap(spool: string, id: string, file: string, map: string): void {
  try {
    writeFileSync(join(spool, `sourcemap-${id}.json`), JSON.stringify({ url: pathToFileURL(file).href, file, map: JSON.parse(map) }));
  } catch (err) {
    warn(`cannot record the source map of ${file}`, err);
  }
}

interface CjsModule { _compile(code: string, file: string): unknown }

/** Registers .ts/.cts with the CommonJS loader, and sends .mts to the ESM loader. */
export function installCjsTypeScript(spool: string, threadId: number): void {
  const extensions = require.extensions as unknown as Record<string, (m: CjsModule, file: string) => void>;
  let counter = 0;
  const load = (m: CjsModule, file: string): void => {
    const { code, map } = transpile(readFileSync(file, 'utf8'), file, 'cjs');
    recordSourceMap(spool, `${threadId}-${counter++}`, file, map);
    m._compile(code, file);
  };
  for (const ext of ['.ts', '.cts']) if (!extensions[ext]) extensions[ext] = load;
  // Node 20 hands a .mts main script to the CommonJS loader; an ES module has to go through
  // the ESM loader (and the hooks of esm-hooks.ts) instead.
  if (!extensions['.mts']) {
    extensions['.mts'] = (_m, file) => {
      import(pathToFileURL(file).href).catch((err: unknown) => process.nextTick(() => { throw err; }));
    };
  }
}
