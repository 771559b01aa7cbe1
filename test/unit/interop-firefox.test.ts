// Firefox Profiler reads our export: its own CLI (@firefox-devtools/profiler-cli, Node 24) loads
// the trace of a real run of test/fixtures/interop-spinners.js, finds every thread, and charges
// each worker's samples to the function our report says that worker spun in.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { toFirefoxTrace } from '../../src/model/export-firefox';
import type { ChromeTrace } from '../../src/model/export-chrome';
import type { Report } from '../../src/model/report';
import { packageRoot } from '../../src/runner/paths';
import { record } from './record-helpers';
import { consumers, plantedSpinners, type Consumers } from './interop-tools';

interface FirefoxThread { threadHandle: string; name: string; tid: string }
interface FirefoxFunction { name: string; selfSamples: number; totalSamples: number }

/** One profiler-cli session over `file`, with its state in a folder of its own. */
class ProfilerCli {
  private readonly home = mkdtempSync(join(tmpdir(), 'parprof-ffcli-'));
  private readonly session = `parprof-${process.pid}-${Date.now()}`;
  constructor(private readonly tools: Consumers) {}

  /**
   * `load`. profiler-cli 0.10 gives its daemon (which loads the file itself) 500 ms to start, a
   * fixed bound with no setting: Node 24 starting at a load average of 30 missed it, and the
   * client gave up while the daemon went on ("it is most likely still starting, and retrying
   * often works"; a second `load` is refused: the session is running). So on that message the
   * session is asked for its threads until it answers (up to 2 minutes); any other failure is thrown.
   */
  load(file: string): void {
    try {
      this.run('load', file);
    } catch (e) {
      if (!/daemon did not become ready within/.test(String(e))) throw e;
      for (let waited = 0; ; waited += 2) {
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 2000);
        try {
          this.threads();
          return;
        } catch (again) {
          if (waited >= 120) throw again;
        }
      }
    }
  }

  run(...args: string[]): string {
    const r = spawnSync(this.tools.node24, [this.tools.profilerCli, ...args, '--session', this.session], {
      encoding: 'utf8', timeout: 120_000,
      env: { ...this.tools.env, PROFILER_CLI_SESSION_DIR: this.home, PROFILER_CLI_NO_SYMBOLICATE: '1' },
    });
    if (r.status !== 0) throw new Error(`profiler-cli ${args.join(' ')}: exit ${r.status}\n${r.stderr}\n${r.stdout}`);
    return r.stdout;
  }

  json<T>(...args: string[]): T {
    return JSON.parse(this.run(...args, '--json')) as T;
  }

  threads(): FirefoxThread[] {
    return this.json<{ threads: FirefoxThread[] }>('thread', 'list').threads;
  }

  functions(thread: string): FirefoxFunction[] {
    return this.json<{ functions: FirefoxFunction[] }>('thread', 'functions', '--thread', thread).functions;
  }

  stop(): void {
    try {
      this.run('stop');
    } finally {
      rmSync(this.home, { recursive: true, force: true });
    }
  }
}

/** What Firefox Profiler says of each worker thread of `trace`: its top function by self samples. */
function firefoxView(tools: Consumers, trace: ChromeTrace, dir: string, name: string): { threads: FirefoxThread[]; top: Map<string, FirefoxFunction> } {
  const file = join(dir, name);
  writeFileSync(file, JSON.stringify(trace));
  const cli = new ProfilerCli(tools);
  try {
    cli.load(file);
    const threads = cli.threads();
    const top = new Map<string, FirefoxFunction>();
    for (const t of threads) top.set(t.name, cli.functions(t.threadHandle)[0]);
    return { threads, top };
  } finally {
    cli.stop();
  }
}

/**
 * Samples of `thread` in `fn` that Firefox Profiler keeps: its Chrome importer keeps a sample only
 * when at least 0.5 ms (its meta.interval) passed since the last one it kept, computed in ms as it
 * does, starting from the Profile event's startTime.
 */
function firefoxKeeps(report: Report, thread: number, fn: string): number {
  const p = report.profiles.find((x) => x.thread === thread)!.profile;
  const name = new Map(p.nodes.map((n) => [n.id, n.callFrame.functionName]));
  let seen = p.startTime / 1e3, sampled = 0, kept = 0;
  for (let i = 0; i < p.samples.length; i++) {
    seen += p.timeDeltas[i] / 1e3;
    if (seen - sampled < 0.5) continue;
    sampled = seen;
    if (name.get(p.samples[i]) === fn) kept++;
  }
  return kept;
}

let run: Promise<Report> | undefined;
function spinners(): Promise<Report> {
  run ??= record(join(packageRoot(), 'test', 'fixtures', 'interop-spinners.js')).then((r) => {
    assert.equal(r.report.exit.code, 0, r.stderr);
    return r.report;
  });
  return run;
}

test('Firefox Profiler finds every thread and puts each worker\'s samples on its own function', async () => {
  const [tools, report] = await Promise.all([consumers(), spinners()]);
  const dir = mkdtempSync(join(tmpdir(), 'parprof-firefox-'));
  try {
    const view = firefoxView(tools, toFirefoxTrace(report), dir, 'run.firefox.json');
    assert.deepEqual(view.threads.map((t) => [t.name, t.tid]).sort(), report.threads.map((t) => [t.name, `1:${t.id}`]).sort());
    const planted = plantedSpinners(report);
    assert.equal(planted.size, 2);
    for (const [thread, f] of planted) {
      const name = report.threads.find((t) => t.id === thread)!.name;
      const top = view.top.get(name)!;
      assert.equal(top.name, f.name, `${name}: Firefox's top function`);
      // Every sample our report has in the function, less those Firefox thins out (closer than 0.5 ms).
      assert.equal(top.selfSamples, firefoxKeeps(report, thread, f.name), `${name}: Firefox counts our samples in ${f.name}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('Firefox Profiler counts a piscina worker\'s wait for its next task as idle, as our views do, not as the recorder\'s waitForWork', async () => {
  const [tools, { report, stdout }] = await Promise.all([consumers(), record('piscina-idle.js', { args: ['piscina'] })]);
  assert.match(stdout, /done/);
  const dir = mkdtempSync(join(tmpdir(), 'parprof-firefox-idle-'));
  const file = join(dir, 'piscina.firefox.json');
  writeFileSync(file, JSON.stringify(toFirefoxTrace(report)));
  const cli = new ProfilerCli(tools);
  try {
    cli.load(file);
    const workers = cli.threads().filter((t) => t.name.startsWith('piscina'));
    assert.equal(workers.length, 2, JSON.stringify(cli.threads()));
    // The workers waited for work ~90 % of the run (piscina-idle.js): before, waitForWork was each one's hottest function.
    for (const t of workers) {
      const names = cli.functions(t.threadHandle).map((f) => f.name);
      assert.ok(!names.some((n) => /waitForWork/.test(n)), `${t.name}: ${names.slice(0, 5).join(', ')}`);
    }
  } finally {
    cli.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('control: with node ids restarting at 1 on every thread (V8\'s numbering), Firefox charges samples to the wrong functions', async () => {
  // The bug the unique ids fix; it shows that the check above can fail.
  const [tools, report] = await Promise.all([consumers(), spinners()]);
  const trace = toFirefoxTrace(report);
  for (const e of trace.traceEvents) {
    if (e.name !== 'ProfileChunk') continue;
    const profile = (e.args as { data: { cpuProfile: { nodes: { id: number; parent?: number }[]; samples: number[] } } }).data.cpuProfile;
    const shift = Math.min(...profile.nodes.map((n) => n.id)) - 1;
    // Restart ids at 1, and give each thread's planted spinner the same id (2), as V8's numbering
    // may or may not do depending on the tree's shape: then the collision is certain.
    const nodes = profile.nodes as { id: number; parent?: number; callFrame?: { functionName?: string } }[];
    const spinner = nodes.find((n) => /^spin(Alpha|Beta)$/.test(n.callFrame?.functionName ?? ''));
    const other = nodes.find((n) => n.id - shift === 2);
    const renumber = (id: number): number => {
      const i = id - shift;
      if (spinner && other && spinner !== other) {
        if (id === spinner.id) return 2;
        if (id === other.id) return spinner.id - shift;
      }
      return i;
    };
    for (const n of nodes) {
      if (n.parent !== undefined) n.parent = renumber(n.parent);
    }
    for (const n of nodes) n.id = renumber(n.id);
    profile.samples = profile.samples.map(renumber);
    // Firefox's importer needs each node's parent listed before it: order by depth (stable).
    const byId = new Map(nodes.map((n) => [n.id, n]));
    const depth = (n: { parent?: number }): number => { let d = 0; for (let p = n.parent; p !== undefined; p = byId.get(p)?.parent) d++; return d; };
    const depths = new Map(nodes.map((n) => [n, depth(n)]));
    nodes.sort((a, b) => depths.get(a)! - depths.get(b)!);
  }
  const dir = mkdtempSync(join(tmpdir(), 'parprof-firefox-'));
  try {
    const view = firefoxView(tools, trace, dir, 'colliding.json');
    const right = [...plantedSpinners(report)].filter(([thread, f]) => {
      const top = view.top.get(report.threads.find((t) => t.id === thread)!.name);
      return top?.name === f.name && top.selfSamples === firefoxKeeps(report, thread, f.name);
    });
    assert.ok(right.length < 2, 'at least one worker is charged wrongly');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
