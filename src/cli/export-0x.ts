// `parprof export <report> --format 0x --thread N`: one thread's samples drawn by 0x's own
// flamegraph page (0x's lib/render.js, the function behind `0x --visualize-only`), from the
// ticks src/model/export-0x.ts makes of the thread's profile. 0x is the project's package, looked
// up as `--profiler 0x` looks it up.
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, join, resolve } from 'node:path';
import { zeroXTicks } from '../model/export-0x';
import type { Report } from '../model/report';
import { resolveZeroX } from '../runner/tick-logs';
import { checkOutputFolder } from '../runner/output';

type Render = (opts: Record<string, unknown>) => Promise<string | null>;

/**
 * 0x puts the frame names into a <script> as JSON, where a name holding `</script` or `<!--` (a
 * file path may) would end the script early. In a JavaScript string `<\/` is `</`: escape both
 * everywhere but the page's own last closing tag.
 */
export function closeScriptsSafely(html: string): string {
  const last = html.toLowerCase().lastIndexOf('</script');
  if (last < 0) return html;
  return html.slice(0, last).replace(/<\/(script)/gi, '<\\/$1').replace(/<!--/g, '<\\!--') + html.slice(last);
}

function findZeroX(dirs: string[], script: string): string {
  for (const dir of dirs) {
    try {
      return resolveZeroX(dir, script === '' ? join(dir, 'x.js') : script);
    } catch { /* next folder */ }
  }
  throw new Error(`--format 0x draws with the 0x package, found neither here nor in the run's folder ${dirs.slice(1).join(', ') || '(not recorded)'}: run 'npm i -D 0x' in the project`);
}

/** Writes `<out>/flamegraph.html` for `thread`; returns its path. */
export async function writeZeroXFlamegraph(report: Report, thread: number, out: string, cwd: string): Promise<string> {
  const entry = report.profiles.find((p) => p.thread === thread);
  if (!entry) {
    // The summary names threads ('pool 1'), not their ids: each id is given with its name.
    const names = new Map(report.threads.map((t) => [t.id, t.name]));
    const have = report.profiles.map((p) => (names.has(p.thread) ? `${p.thread} (${names.get(p.thread)})` : String(p.thread)));
    throw new Error(`thread ${thread} has no CPU profile in this report (threads with one, by id: ${have.length ? have.join(', ') : 'none'})`);
  }
  const ticks = zeroXTicks(entry.profile);
  if (ticks.length === 0) throw new Error(`thread ${thread}: its profile has no samples on code (only idle ones): nothing to draw`);
  // 0x is the user's package: looked up from where parprof runs, then from the recorded run's
  // folder and script (where `npm i -D 0x` put it for --profiler 0x).
  const zeroxDir = findZeroX([cwd, report.meta.cwd].filter((d) => d !== ''), report.meta.script);
  const render = createRequire(join(zeroxDir, 'package.json'))('./lib/render.js') as Render;
  const folder = resolve(out);
  checkOutputFolder(folder, "0x's flamegraph page");
  const name = report.threads.find((t) => t.id === thread)?.name ?? `thread ${thread}`;
  await render({
    name: 'flamegraph', title: `${basename(report.meta.script)} · ${name}`, ticks, inlined: undefined,
    folder, workingDir: folder, pathToNodeBinary: process.execPath, kernelTracing: false,
  });
  // 0x names the page <folder>/<name>.html.
  const file = join(folder, 'flamegraph.html');
  writeFileSync(file, closeScriptsSafely(readFileSync(file, 'utf8')));
  return file;
}
