// Part 4: ten million tasks (issue 13 item 5). Two measurements at each size N:
// - the runner's and the reader's stages on a synthetic spool of N spans (out/test/unit/
//   scale-stages.harness.js): time, CPU time and peak RSS of each stage;
// - the real thing: test/fixtures/scale-noop.js N (forEach over range(0, N), chunkSize 1, dynamic,
//   2 threads) under plain node and under `parprof record`, then `parprof report` of its report:
//   wall time and peak RSS (ru_maxrss, written at exit by bench/fixtures/maxrss.cjs) of the script
//   and of parprof, and the report's size.
// Wall times on a loaded machine are the machine's; CPU times and peak RSS depend less on it.
//
// Alone: node bench/parts/scale.mjs [--sizes 1000000,10000000]   (writes bench/results/scale.json and scale.md)
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { run } from '../lib/child.mjs';
import { measureTable } from '../lib/table.mjs';

const root = fileURLToPath(new URL('../..', import.meta.url));
const harness = join(root, 'out', 'test', 'unit', 'scale-stages.harness.js');
const cli = join(root, 'dist', 'cli.js');
const fixture = join(root, 'test', 'fixtures', 'scale-noop.js');
const maxrss = join(root, 'bench', 'fixtures', 'maxrss.cjs');
const TIMEOUT_MS = 600_000;

const label = (n) => (n >= 1e6 ? `${n / 1e6}M` : `${n / 1e3}k`);
const MB = 1024 * 1024;

/** Runs the harness; its last stdout line is its JSON result. */
async function stages(args) {
  const r = await run(process.execPath, ['--expose-gc', harness, ...args], { timeoutMs: TIMEOUT_MS });
  if (r.timedOut) return { error: 'timed out' };
  try {
    return JSON.parse(r.stdout.trim().split('\n').pop());
  } catch {
    return { error: `exit ${r.code ?? r.signal}: ${r.stderr.trim().split('\n').pop()?.slice(0, 160)}` };
  }
}

/** Runs a command with the maxrss preload; returns its run and the processes' lines by argv. */
async function measured(cmd, args, tmp, env = {}) {
  const file = join(tmp, `rss-${Date.now()}-${Math.random().toString(36).slice(2)}.ndjson`);
  const r = await run(cmd, args, { timeoutMs: TIMEOUT_MS, env: { ...env, BENCH_RSS_FILE: file, NODE_OPTIONS: `--require ${maxrss}` } });
  const lines = existsSync(file) ? readFileSync(file, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l)) : [];
  return { r, lines };
}

export async function benchScale({ sizes = [1_000_000, 10_000_000], log = console.error, cliMissing, harnessMissing } = {}) {
  const rows = [];
  const detail = [];
  const tmp = mkdtempSync(join(tmpdir(), 'parprof-bench-scale-'));
  try {
    for (const n of sizes) {
      const L = label(n);
      if (harnessMissing) {
        rows.push({ name: `${L} spans: runner stages`, unavailable: harnessMissing });
      } else {
        log(`scale ${L}: synthetic spool`);
        const spool = join(tmp, `spool-${n}`);
        mkdirSync(spool);
        await stages(['spool', spool, String(n)]);
        const report = join(tmp, `synthetic-${n}.parprof`);
        const runner = await stages(['runner', spool, String(n), report]);
        rmSync(spool, { recursive: true, force: true });
        const reader = runner.error ? { error: 'no report' } : await stages(['report', report]);
        rmSync(report, { force: true });
        detail.push({ spans: n, runner, reader });
        for (const [who, res] of [['runner (spool → report → summary)', runner], ['parprof report (read → summary)', reader]]) {
          if (res.error) { rows.push({ name: `${L} synthetic spans, ${who}`, unavailable: res.error }); continue; }
          const cpu = res.stages.reduce((a, s) => a + s.cpuMs, 0);
          rows.push({ name: `${L} synthetic spans, ${who}: peak RSS`, value: res.peakMB, unit: 'MB', digits: 0,
            ...(n >= 10_000_000 ? { target: who.startsWith('runner') ? '≤ 1024 MB' : '≤ 1536 MB', pass: res.peakMB <= (who.startsWith('runner') ? 1024 : 1536) } : {}),
            note: res.stages.map((s) => `${s.name} ${s.peakMB} MB`).join(', ') });
          rows.push({ name: `${L} synthetic spans, ${who}: CPU time`, value: cpu / 1000, unit: 's', digits: 1,
            note: `wall ${(res.stages.reduce((a, s) => a + s.ms, 0) / 1000).toFixed(1)} s; ${res.stages.map((s) => `${s.name} ${(s.cpuMs / 1000).toFixed(1)} s`).join(', ')}` });
        }
      }
      if (cliMissing) { rows.push({ name: `${L} tasks, parprof record`, unavailable: cliMissing }); continue; }
      log(`scale ${L}: the script under plain node`);
      const modules = join(tmp, 'node_modules');
      if (!existsSync(modules)) { mkdirSync(modules); symlinkSync(root, join(modules, 'parallel-profiler'), 'dir'); }
      const plain = await measured(process.execPath, [fixture, String(n)], tmp, { NODE_PATH: modules });
      log(`scale ${L}: parprof record`);
      const out = join(tmp, `scale-${n}.parprof`);
      const rec = await measured(process.execPath, [cli, 'record', '--out', out, fixture, String(n)], tmp);
      const script = rec.lines.find((l) => l.argv[0] === fixture);
      const parprof = rec.lines.find((l) => l.argv[0] === cli);
      const plainScript = plain.lines.find((l) => l.argv[0] === fixture);
      if (rec.r.code !== 0 || !existsSync(out)) {
        rows.push({ name: `${L} tasks, parprof record`, unavailable: rec.r.timedOut ? 'timed out' : `exit ${rec.r.code ?? rec.r.signal}: ${rec.r.stderr.trim().split('\n').pop()?.slice(0, 160)}` });
        continue;
      }
      const bytes = statSync(out).size;
      log(`scale ${L}: parprof report`);
      const rep = await measured(process.execPath, [cli, 'report', out], tmp);
      const reporter = rep.lines.find((l) => l.argv[0] === cli);
      rmSync(out, { force: true });
      detail.push({ spans: n, plain: { ms: plain.r.ms, ...plainScript }, record: { ms: rec.r.ms, script, parprof }, report: { ms: rep.r.ms, bytes, ...reporter } });
      rows.push({ name: `${L} tasks: script peak RSS, plain node / recorded`, value: script?.maxRssMB, unit: 'MB', digits: 0,
        note: `plain node ${plainScript?.maxRssMB ?? '—'} MB (${(plain.r.ms / 1000).toFixed(1)} s wall); recorded ${script?.maxRssMB ?? '—'} MB` });
      rows.push({ name: `${L} tasks: parprof record peak RSS`, value: parprof?.maxRssMB, unit: 'MB', digits: 0,
        ...(n >= 10_000_000 ? { target: '≤ 2048 MB', pass: (parprof?.maxRssMB ?? Infinity) <= 2048 } : {}),
        note: `whole record ${(rec.r.ms / 1000).toFixed(1)} s wall, parprof CPU ${((parprof?.cpuMs ?? NaN) / 1000).toFixed(1)} s` });
      rows.push({ name: `${L} tasks: report size`, value: bytes / MB, unit: 'MB', digits: 1, note: bytes > 0 && n > 2_000_000 ? 'packed (gzip PPC1)' : 'JSON' });
      rows.push({ name: `${L} tasks: parprof report`, value: rep.r.ms / 1000, unit: 's', digits: 1,
        ...(n >= 10_000_000 ? { target: '≤ 5 s, ≤ 1536 MB', pass: rep.r.ms <= 5000 && (reporter?.maxRssMB ?? Infinity) <= 1536 } : {}),
        note: `peak RSS ${reporter?.maxRssMB ?? '—'} MB, CPU ${((reporter?.cpuMs ?? NaN) / 1000).toFixed(1)} s${rep.r.code !== 0 ? `; exit ${rep.r.code}` : ''}` });
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  return { rows, detail };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const at = process.argv.indexOf('--sizes');
  const sizes = at > 0 ? process.argv[at + 1].split(',').map(Number) : undefined;
  const missing = (p, what) => (existsSync(p) ? undefined : `${p} not built (${what}): npm run build`);
  const { rows, detail } = await benchScale({ sizes, cliMissing: missing(cli, 'parprof CLI'), harnessMissing: missing(harness, 'scale stages harness') });
  const dir = join(root, 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  const meta = { date: new Date().toISOString(), node: process.version };
  writeFileSync(join(dir, 'scale.json'), `${JSON.stringify({ meta, rows, detail }, null, 2)}\n`);
  const md = `# Ten million tasks\n\n${meta.date}, Node ${meta.node}\n\n${measureTable(rows)}\n`;
  writeFileSync(join(dir, 'scale.md'), md);
  console.log(md);
}
