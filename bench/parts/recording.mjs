// Part 2 (and 3): what recording costs. The same 100 µs-task job under plain node and under
// `parprof record` with CPU profiling off and at 1 ms, with automatic chunks and with one chunk
// (so one span) per task; the cost of one span() call; how long after a ~10 s run the report
// exists; 0x against our CPU profiling on a single thread; and a whole `parprof record` of
// examples/mandelbrot.js beside plain node and `node --cpu-prof`.
//
// Alone: node bench/parts/recording.mjs [--only overhead,chunk1,perspan,span,latency,0x,whole] [--rounds N]
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { availableParallelism } from 'node:os';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { run, runJson, median } from '../lib/child.mjs';

const root = fileURLToPath(new URL('../..', import.meta.url));
const fixtures = join(root, 'bench', 'fixtures');
const cli = join(root, 'dist', 'cli.js');
const preload = join(root, 'dist', 'runtime', 'preload.js');
const zeroX = join(root, 'node_modules', '0x', 'cmd.js');

const pct = (a, b) => (a / b - 1) * 100;

/**
 * Runs record-job.cjs once per mode per round (modes interleaved so machine noise hits all of
 * them alike); returns { mode: { ok, wallMs, reason } } with wallMs the median of every timed
 * run of that mode.
 */
async function jobWalls(modes, rounds, env, tmp) {
  const walls = Object.fromEntries(Object.keys(modes).map((m) => [m, []]));
  const cpus = Object.fromEntries(Object.keys(modes).map((m) => [m, []]));
  const reasons = {};
  for (let r = 0; r < rounds; r++) {
    for (const [mode, argv] of Object.entries(modes)) {
      if (reasons[mode]) continue;
      const result = join(tmp, `${mode.replace(/\W/g, '_')}-${r}.json`);
      const out = join(tmp, `${mode.replace(/\W/g, '_')}-${r}`);
      const res = await run(argv[0], argv.slice(1).map((a) => a.replace('{out}', out)), { env: { ...env, BENCH_RESULT: result }, timeoutMs: 90_000 });
      let value;
      try { value = JSON.parse(readFileSync(result, 'utf8')); } catch { /* reported below */ }
      if (res.timedOut) reasons[mode] = 'timed out';
      else if (!value || value.error) reasons[mode] = value?.error ?? `exit ${res.code ?? res.signal}: ${res.stderr.trim().split('\n').pop()?.slice(0, 160) ?? ''}`;
      else {
        walls[mode].push(...value.walls);
        cpus[mode].push(...(value.cpus ?? []));
      }
    }
  }
  return Object.fromEntries(Object.keys(modes).map((m) => [m, reasons[m] ? { ok: false, reason: reasons[m] }
    : { ok: true, wallMs: median(walls[m]), cpuMs: cpus[m].length ? median(cpus[m]) : undefined }]));
}

/** A ratio row: a's wall over b's, as % extra; unavailable when either side is. */
function overheadRow(name, a, b, target, note) {
  if (!a.ok || !b.ok) return { name, unavailable: (a.ok ? b : a).reason };
  const value = pct(a.wallMs, b.wallMs);
  return { name, value, unit: '%', digits: 1, target: target === undefined ? undefined : `≤ ${target} %`,
    pass: target === undefined ? undefined : value <= target, note: `${a.wallMs.toFixed(1)} ms vs ${b.wallMs.toFixed(1)} ms${note ? '; ' + note : ''}` };
}

/** Parts of this benchmark, in the order they run. */
const PARTS = ['overhead', 'chunk1', 'perspan', 'span', 'latency', '0x', 'whole'];

export async function benchRecording({ threads, ipu, rounds, log, cliMissing, preloadMissing, longSeconds, only = PARTS }) {
  const rows = [];
  const tmp = mkdtempSync(join(tmpdir(), 'parprof-bench-'));
  const env = { BENCH_SPIN_ITERS: String(Math.round(ipu * 100)), BENCH_TASKS: '10000', BENCH_THREADS: String(threads), BENCH_REPS: '3' };
  const job = join(fixtures, 'record-job.cjs');
  try {
    if (only.includes('overhead')) await overheadRows();
    if (only.includes('chunk1')) await chunk1Rows();
    if (only.includes('perspan')) await perSpanRows();
    if (only.includes('span')) await spanRows();
    if (only.includes('latency')) {
      log(`  report write latency (${longSeconds} s run)`);
      rows.push(cliMissing ? { name: `report written after a ${longSeconds} s run`, unavailable: cliMissing } : await writeLatency({ threads, tmp, env, longSeconds }));
    }
    if (only.includes('0x')) await zeroXRows();
    if (only.includes('whole')) await wholeRunRows();
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  return rows;

  async function overheadRows() {
    log('  recording on vs off (100 µs tasks)');
    const record = (us) => [process.execPath, cli, 'record', '--threads', String(threads), '--sample-interval', us, '--out', '{out}.parprof', job];
    const modes = { plain: [process.execPath, job] };
    if (!cliMissing) Object.assign(modes, { spans: record('0'), cpu: record('1000') });
    const w = await jobWalls(modes, rounds, env, tmp);
    const missing = { ok: false, reason: cliMissing };
    const spans = w.spans ?? missing, cpu = w.cpu ?? missing;
    rows.push(overheadRow('recording (spans, no CPU profiling) vs plain node, 100 µs tasks', spans, w.plain, 3));
    if (spans.ok && w.plain.ok && spans.cpuMs !== undefined && w.plain.cpuMs !== undefined) {
      const cpuPct = pct(spans.cpuMs, w.plain.cpuMs);
      rows.push({ name: 'same, in CPU time of the job (all threads)', value: cpuPct, unit: '%', digits: 1, target: '≤ 3 %', pass: cpuPct <= 3,
        note: `${spans.cpuMs.toFixed(1)} ms vs ${w.plain.cpuMs.toFixed(1)} ms; automatic chunks (about 64 per thread per operation)` });
    }
    rows.push(overheadRow('CPU profiling at 1 ms vs recording without it', cpu, spans, 5));
    rows.push(overheadRow('recording + CPU profiling at 1 ms vs plain node', cpu, w.plain, undefined, 'informative'));
  }

  /**
   * A whole `parprof record` against Node's own per-thread profiler on examples/mandelbrot.js:
   * process start to exit, as a user waits for it (issue "In the editor": at most 5 % above
   * `node --cpu-prof`). Modes interleaved per round; medians of 7 rounds (1 with --quick).
   */
  async function wholeRunRows() {
    const script = join(root, 'examples', 'mandelbrot.js');
    const n = rounds === 1 ? 1 : 7;
    log(`  whole run of examples/mandelbrot.js: node, node --cpu-prof, parprof record (${n} rounds)`);
    const modes = {
      node: [process.execPath, script],
      'node --cpu-prof': [process.execPath, '--cpu-prof', '--cpu-prof-dir', '{out}.cpuprof', script],
    };
    if (!cliMissing) {
      modes['parprof record'] = [process.execPath, cli, 'record', '--out', '{out}.parprof', script];
      modes['parprof record --sample-interval 0'] = [process.execPath, cli, 'record', '--sample-interval', '0', '--out', '{out}.parprof', script];
    }
    // The same recording without the CLI process: the script under the preload as `parprof record`
    // runs it (spool, 250 ms chunks, the nudger), so what the CLI adds reads apart from what the recorder does.
    if (!preloadMissing) modes['script under the preload, no CLI'] = [process.execPath, '-r', preload, script];
    const modules = mkdtempSync(join(tmpdir(), 'parprof-bench-modules-'));
    symlinkSync(root, join(modules, 'parallel-profiler'), 'dir');
    const walls = Object.fromEntries(Object.keys(modes).map((m) => [m, []]));
    const cpus = Object.fromEntries(Object.keys(modes).map((m) => [m, []]));
    const reasons = {};
    // GNU time, where there is one, adds the CPU time of the whole process tree (user + system):
    // on a machine other work loads, that ratio stays meaningful when the wall-clock one does not.
    const gnuTime = existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;
    for (let r = 0; r < n; r++) {
      for (const [mode, argv] of Object.entries(modes)) {
        if (reasons[mode]) continue;
        const out = join(tmp, `whole-${mode.replace(/\W/g, '_')}-${r}`);
        const args = argv.map((a) => a.replace('{out}', out));
        const cpuFile = `${out}.time`;
        const t = performance.now();
        const spool = `${out}.spool`;
        const env = mode === 'script under the preload, no CLI' ? { PARPROF_SPOOL: spool, NODE_PATH: modules } : {};
        if (env.PARPROF_SPOOL) mkdirSync(spool);
        const res = await (gnuTime ? run(gnuTime, ['-f', '%U %S', '-o', cpuFile, ...args], { timeoutMs: 120_000, cwd: root, env })
          : run(args[0], args.slice(1), { timeoutMs: 120_000, cwd: root, env }));
        rmSync(spool, { recursive: true, force: true });
        const ms = performance.now() - t;
        if (res.timedOut || res.code !== 0) reasons[mode] = res.timedOut ? 'timed out' : `exit ${res.code ?? res.signal}: ${res.stderr.trim().split('\n').pop()?.slice(0, 160) ?? ''}`;
        else {
          walls[mode].push(ms);
          const [user, sys] = gnuTime ? readFileSync(cpuFile, 'utf8').trim().split('\n').pop().split(' ').map(Number) : [];
          if (Number.isFinite(user) && Number.isFinite(sys)) cpus[mode].push((user + sys) * 1000);
        }
      }
    }
    rmSync(modules, { recursive: true, force: true });
    const w = Object.fromEntries(Object.keys(modes).map((m) => [m, reasons[m] ? { ok: false, reason: reasons[m] }
      : { ok: true, wallMs: median(walls[m]), cpuMs: cpus[m].length ? median(cpus[m]) : undefined }]));
    const missing = { ok: false, reason: cliMissing };
    for (const [mode, value] of Object.entries(w)) {
      if (mode === 'node') continue;
      // Each mode's CPU time beside its wall time: the breakdown of what a record adds (CLI process, recorder, sampling) reads from these.
      const cpuNote = value.ok && w.node.ok && value.cpuMs !== undefined && w.node.cpuMs !== undefined
        ? `; CPU ${value.cpuMs.toFixed(0)} ms vs ${w.node.cpuMs.toFixed(0)} ms (${pct(value.cpuMs, w.node.cpuMs).toFixed(1)} %)` : '';
      rows.push(overheadRow(`whole run, ${mode} vs node (mandelbrot.js, process start to exit)`, value, w.node, undefined, `informative${cpuNote}`));
    }
    rows.push(overheadRow('whole run, parprof record vs node --cpu-prof (mandelbrot.js)', w['parprof record'] ?? missing, w['node --cpu-prof'], 5,
      'Node\'s own per-thread profiler is the bar: same samples, no spans, no report'));
    const rec = w['parprof record'];
    const bar = w['node --cpu-prof'];
    const bare = w['script under the preload, no CLI'];
    if (rec?.ok && bare?.ok) {
      const cpu = rec.cpuMs !== undefined && bare.cpuMs !== undefined ? `; CPU ${(rec.cpuMs - bare.cpuMs).toFixed(0)} ms` : '';
      rows.push({ name: 'whole run, what the CLI process adds: parprof record − the script under the preload (mandelbrot.js)', value: rec.wallMs - bare.wallMs, unit: 'ms', digits: 0,
        note: `informative: wall ${rec.wallMs.toFixed(0)} − ${bare.wallMs.toFixed(0)} ms${cpu} (its Node start, spawning, the report and summary after the exit)` });
    }
    if (rec?.ok && bar?.ok && rec.cpuMs !== undefined && bar.cpuMs !== undefined) {
      rows.push(overheadRow('same, in CPU time of the whole process tree (user + system)', { ok: true, wallMs: rec.cpuMs }, { ok: true, wallMs: bar.cpuMs }, undefined,
        'informative: GNU time; steadier than wall time when other work shares the cores'));
    }
  }

  /** One chunk per 100 µs task (chunkSize 1, the default steal schedule): one span per task, the most spans a real job records. */
  async function chunk1Rows() {
    log('  recording on vs off (100 µs tasks, one span per task)');
    const modes = { plain: [process.execPath, job] };
    if (!cliMissing) modes.spans = [process.execPath, cli, 'record', '--threads', String(threads), '--sample-interval', '0', '--out', '{out}.parprof', job];
    const w = await jobWalls(modes, rounds, { ...env, BENCH_CHUNK: '1' }, tmp);
    const spans = w.spans ?? { ok: false, reason: cliMissing };
    rows.push(overheadRow('recording (spans, no CPU profiling) vs plain node, 100 µs tasks, one span per task', spans, w.plain, 3));
    if (spans.ok && w.plain.ok && spans.cpuMs !== undefined && w.plain.cpuMs !== undefined) {
      const cpuPct = pct(spans.cpuMs, w.plain.cpuMs);
      rows.push({ name: 'same, in CPU time of the job (all threads)', value: cpuPct, unit: '%', digits: 1, target: '≤ 3 %', pass: cpuPct <= 3,
        note: `${spans.cpuMs.toFixed(1)} ms vs ${w.plain.cpuMs.toFixed(1)} ms; CPU time hardly moves with other load on the machine` });
    }
  }

  /**
   * What one span costs inside a real pool run: empty tasks, one per chunk, so the job is almost
   * all scheduling and recording; CPU time with recording minus without, per span. Includes the
   * claim's two clock reads, span() and the batched flushes.
   */
  async function perSpanRows() {
    log('  recording cost per span (empty tasks, one span each)');
    const tasks = 300_000;
    const modes = { plain: [process.execPath, job] };
    if (!cliMissing) modes.spans = [process.execPath, cli, 'record', '--threads', String(threads), '--sample-interval', '0', '--out', '{out}.parprof', job];
    const w = await jobWalls(modes, rounds, { ...env, BENCH_CHUNK: '1', BENCH_SPIN_ITERS: '1', BENCH_TASKS: String(tasks), BENCH_REPS: '5' }, tmp);
    const spans = w.spans ?? { ok: false, reason: cliMissing };
    const name = 'recording cost per span in a real pool run (steal, empty tasks, chunkSize 1)';
    if (!spans.ok || !w.plain.ok) rows.push({ name, unavailable: (spans.ok ? w.plain : spans).reason });
    else {
      const ns = ((spans.cpuMs - w.plain.cpuMs) * 1e6) / tasks;
      rows.push({ name, value: ns, unit: 'ns', digits: 0, target: '≤ 200 ns', pass: ns <= 200,
        note: `(CPU ${spans.cpuMs.toFixed(1)} ms − ${w.plain.cpuMs.toFixed(1)} ms) / ${tasks} spans, medians of ${rounds * 5} runs` });
    }
  }

  async function spanRows() {
    log('  span cost');
    if (preloadMissing) rows.push({ name: 'one span() call', unavailable: preloadMissing });
    else {
      const spool = mkdtempSync(join(tmp, 'spool-'));
      const r = await runJson(process.execPath, [join(fixtures, 'span-cost.cjs')], { timeoutMs: 60_000, env: {
        NODE_OPTIONS: `--require ${preload}`, PARPROF_SPOOL: spool, PARPROF_SAMPLE_US: '0',
        PARPROF_ORIGIN_US: String(process.hrtime.bigint() / 1000n) } });
      if (!r.ok) rows.push({ name: 'one span() call', unavailable: r.reason });
      else {
        rows.push({ name: 'one span() call', value: r.value.nsPerSpan, unit: 'ns', digits: 1, target: '≤ 200 ns', pass: r.value.nsPerSpan <= 200,
          note: 'median of 5 loops of 200k calls, flushes included' });
        rows.push({ name: 'one recorder.now() call', value: r.value.nsPerNow, unit: 'ns', digits: 1, note: 'informative: a task span also costs two clock reads' });
      }
      rmSync(spool, { recursive: true, force: true });
    }
  }

  async function zeroXRows() {
    log('  0x vs our CPU profiling (single thread)');
    const seqEnv = { ...env, BENCH_MODE: 'sequential' };
    const zeroXModes = {
      plain: [process.execPath, job],
      ours: cliMissing ? undefined : [process.execPath, cli, 'record', '--threads', '1', '--sample-interval', '1000', '--out', '{out}.parprof', job],
      zerox: [process.execPath, zeroX, '--collect-only', '--quiet', '--output-dir', '{out}.0x', '--', process.execPath, job],
    };
    if (!zeroXModes.ours) delete zeroXModes.ours;
    const z = await jobWalls(zeroXModes, Math.max(1, rounds - 1), seqEnv, tmp);
    rows.push(overheadRow('0x (--prof) vs plain node, single thread', z.zerox, z.plain, undefined, 'informative; 0x --collect-only'));
    rows.push(overheadRow('our CPU profiling at 1 ms vs plain node, single thread', z.ours ?? { ok: false, reason: cliMissing }, z.plain, undefined, 'informative; same job as the 0x row'));
  }
}

/** Time from the script's exit to the report file existing, and to `parprof record` exiting. */
async function writeLatency({ threads, tmp, env, longSeconds }) {
  const name = `report written after a ${longSeconds} s run`;
  const out = join(tmp, 'long.parprof');
  const exitFile = join(tmp, 'long-exit.txt');
  let appearedNs;
  const poll = setInterval(() => { if (appearedNs === undefined && existsSync(out)) appearedNs = process.hrtime.bigint(); }, 5);
  const res = await run(process.execPath, [cli, 'record', '--threads', String(threads), '--out', out, join(fixtures, 'long-job.cjs')],
    { env: { ...env, BENCH_SECONDS: String(longSeconds), BENCH_EXIT_FILE: exitFile }, timeoutMs: (longSeconds + 60) * 1000 });
  const cliExitNs = process.hrtime.bigint();
  clearInterval(poll);
  if (appearedNs === undefined && existsSync(out)) appearedNs = cliExitNs;
  if (res.timedOut) return { name, unavailable: 'timed out' };
  if (!existsSync(exitFile) || appearedNs === undefined) return { name, unavailable: `no ${existsSync(exitFile) ? 'report' : 'exit stamp'}; parprof exit ${res.code}: ${res.stderr.trim().split('\n').pop()?.slice(0, 160) ?? ''}` };
  const exitNs = BigInt(readFileSync(exitFile, 'utf8').trim());
  const ms = Number(appearedNs - exitNs) / 1e6;
  let size = 0;
  try { size = readFileSync(out).length; } catch { /* size stays 0 */ }
  return { name, value: ms, unit: 'ms', digits: 0, target: '≤ 1000 ms', pass: ms <= 1000,
    note: `parprof exited ${(Number(cliExitNs - exitNs) / 1e6).toFixed(0)} ms after the script; report ${(size / 1e6).toFixed(1)} MB, CPU profiling at 1 ms` };
}

// Alone: `node bench/parts/recording.mjs [--only a,b] [--rounds N]` prints the rows as JSON.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const arg = (flag) => { const i = process.argv.indexOf(flag); return i > 0 ? process.argv[i + 1] : undefined; };
  const { calibrate } = await import('./pools.mjs');
  const ipu = calibrate();
  const rows = await benchRecording({ threads: availableParallelism(), ipu, rounds: Number(arg('--rounds') ?? 3), log: (s) => console.error(s),
    cliMissing: existsSync(cli) ? undefined : 'dist/cli.js not built', preloadMissing: existsSync(preload) ? undefined : 'dist/runtime/preload.js not built',
    longSeconds: 10, only: (arg('--only') ?? PARTS.join(',')).split(',') });
  console.log(JSON.stringify(rows, null, 2));
}
