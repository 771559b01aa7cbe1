// `npm run bench`: every benchmark side by side in one run. Writes bench/results/results.json
// and bench/results/results.md and prints the Markdown tables. Not a test: it measures and
// reports, marking each number pass/MISS against the targets of issues 2 and 3.
//
// usage: node bench/run.mjs [--quick]   (--quick: one run per case, a 3 s write-latency run, the scale part at 1M tasks only)
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { run } from './lib/child.mjs';
import { poolTable, measureTable } from './lib/table.mjs';
import { benchPools, calibrate } from './parts/pools.mjs';
import { benchRecording } from './parts/recording.mjs';
import { benchScale } from './parts/scale.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const resultsDir = join(root, 'bench', 'results');
const quick = process.argv.includes('--quick');
const threads = availableParallelism();
const t0 = Date.now();
const log = (s) => console.error(`[bench ${((Date.now() - t0) / 1000).toFixed(0).padStart(3)} s] ${s}`);

/** Why a built artifact is missing, or undefined when it exists. */
const missing = (rel, what) => (existsSync(join(root, rel)) ? undefined : `${rel} not built (${what})`);

/**
 * bench/webview.mjs belongs to the views helper; when present it writes bench/results/webview.json.
 * Accepted shapes: an array of rows, or { rows: [...] }, or a flat { name: number } object.
 */
async function benchWebview() {
  const script = join(root, 'bench', 'webview.mjs');
  if (!existsSync(script)) return [{ name: 'webview benchmark', unavailable: 'bench/webview.mjs not present' }];
  // The 10M-span case (issue 11) makes a 10M-span report, its packed bytes and a ~100 MB page:
  // minutes, and more than Node's default heap.
  const res = await run(process.execPath, ['--max-old-space-size=12288', script], { timeoutMs: 1_200_000, cwd: root });
  const file = join(resultsDir, 'webview.json');
  if (res.timedOut) return [{ name: 'webview benchmark', unavailable: 'timed out after 1200 s' }];
  if (res.code !== 0 || !existsSync(file)) {
    return [{ name: 'webview benchmark', unavailable: `exit ${res.code ?? res.signal}: ${res.stderr.trim().split('\n').pop()?.slice(0, 160) ?? 'no webview.json'}` }];
  }
  const data = JSON.parse(readFileSync(file, 'utf8'));
  const list = Array.isArray(data) ? data : Array.isArray(data.rows) ? data.rows : Object.entries(data).map(([name, value]) => ({ name, value }));
  return list.map((r) => (typeof r.value === 'number' || r.unavailable
    ? { name: `webview: ${r.name}`, value: r.value, unit: r.unit, pass: r.pass, note: r.note, unavailable: r.unavailable,
      target: typeof r.target === 'number' ? `≤ ${r.target} ${r.unit ?? ''}`.trim() : r.target }
    : { name: `webview: ${r.name}`, unavailable: undefined, value: NaN, note: JSON.stringify(r.value ?? r).slice(0, 200) }));
}

async function main() {
  mkdirSync(resultsDir, { recursive: true });
  const oursMissing = missing('dist/runtime/index.js', 'ThreadPool');
  const cliMissing = missing('dist/cli.js', 'parprof CLI');
  const preloadMissing = missing('dist/runtime/preload.js', 'recorder preload');
  const loadBefore = loadavg()[0];
  const ipu = calibrate();
  log(`${threads} threads, ${cpus()[0]?.model ?? 'unknown CPU'}, busy loop ${ipu.toFixed(0)} iterations/µs`);

  log('part 1: pools');
  const pools = await benchPools({ threads, reps: quick ? 1 : 3, ipu, oursMissing, log });
  log('part 2: recording');
  const overheads = await benchRecording({ threads, ipu, rounds: quick ? 1 : 3, log, cliMissing, preloadMissing, longSeconds: quick ? 3 : 10 });
  log('part 3: webview');
  const webview = await benchWebview();
  log('part 4: ten million tasks');
  const scale = (await benchScale({ sizes: quick ? [1_000_000] : [1_000_000, 10_000_000], log, cliMissing,
    harnessMissing: missing('out/test/unit/scale-stages.harness.js', 'scale stages harness') })).rows;

  const meta = { date: new Date().toISOString(), node: process.version, threads, cpu: cpus()[0]?.model, itersPerUs: ipu, quick,
    seconds: (Date.now() - t0) / 1000, loadavg1: { before: loadBefore, after: loadavg()[0] } };
  writeFileSync(join(resultsDir, 'results.json'), JSON.stringify({ meta, pools, overheads, webview, scale }, null, 2) + '\n');
  const md = [
    `# Benchmark results`,
    '',
    `${meta.date}, Node ${meta.node}, ${threads} threads (= cores), ${meta.cpu}. Wall times are medians${quick ? ' (quick mode: one run each)' : ' of 3 runs'}; ` +
      `efficiency = speedup over sequential / ${threads}; × piscina = piscina's (one task per item) wall / this wall. Bench took ${meta.seconds.toFixed(0)} s; ` +
      `1-minute load average ${meta.loadavg1.before.toFixed(2)} before, ${meta.loadavg1.after.toFixed(2)} after (above ~0.5 before means other processes shared the cores and the numbers are noisy).`,
    '',
    '## Pools (~1 s of sequential CPU work per job)',
    '',
    poolTable(pools),
    '',
    '## Recording and profiling overheads',
    '',
    measureTable(overheads),
    '',
    '## Webview',
    '',
    measureTable(webview),
    '',
    `## Ten million tasks (runner and reader memory; bench/parts/scale.mjs)`,
    '',
    measureTable(scale),
    '',
  ].join('\n');
  writeFileSync(join(resultsDir, 'results.md'), md);
  console.log(md);
  log('wrote bench/results/results.json and results.md');
}

main().catch((e) => {
  console.error(`[bench] failed: ${e?.stack ?? e}`);
  process.exitCode = 1;
});
