// What `parprof record` ends with: the report's path and the commands that open its views,
// spelled the way the user started us so they can be pasted as printed.
import { basename, relative } from 'node:path';

/** How the user started us, to repeat in the commands we suggest: `parprof`, `npx parprof` or `node <path>`. */
export function invokedAs(script = process.argv[1] ?? '', cwd = process.cwd()): string {
  const name = basename(script);
  if (name === 'parprof') return /node_modules[\\/]\.bin[\\/]parprof$/.test(script) ? 'npx parprof' : 'parprof';
  const rel = relative(cwd, script);
  return `node ${shellWord(rel && !rel.startsWith('..') ? rel : script)}`;
}

/** A path as one shell word (POSIX quoting when it needs any). */
export function shellWord(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/** What `record` ends with: where the report is and the commands that open its views. */
export function nextSteps(file: string, cli = invokedAs(), cwd = process.cwd()): string {
  const rel = relative(cwd, file);
  const shown = rel && !rel.startsWith('..') ? rel : file;
  const html = shown.replace(/\.parprof(\.gz)?$/, '') + '.html';
  return [
    `report: ${file}`,
    'next:',
    `  ${cli} report ${shellWord(shown)} --html ${shellWord(html)}   # the views as one page: open it in a browser`,
    `  code ${shellWord(shown)}   # or open it in VS Code with the Parallel Profiler extension`,
  ].join('\n');
}
