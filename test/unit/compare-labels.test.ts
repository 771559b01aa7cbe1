// What `parprof compare` calls a recorded run: the schedule and threads its ThreadPool operations
// ran under (their regions), not the defaults the run was started with (a tryout's script that
// gave its operation schedule: 'static', recorded with the default 'steal', read "2 threads, steal
// against 2 threads, static — configurations differ" against a run of the same script); and a note
// when the two sides ran different scripts. Planted reports with known answers, both ways.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { analyze } from '../../src/model/analysis';
import { compareSides, pairVariants, sideFromRun, sideFromSweep } from '../../src/model/compare';
import type { Report, Schedule } from '../../src/model/report';
import { summarizeRun, type SweepReport } from '../../src/model/sweep-report';
import { compareNotes, formatCompareText } from '../../src/cli/compare';
import { buildReport } from './model-build';

function run(opts: { script?: string; defaults: Schedule; ran: Schedule[]; threads?: number }): Report {
  const threads = opts.threads ?? 2;
  const r = buildReport({
    workers: 2,
    regions: opts.ran.map((schedule, k) => ({ schedule, threads, start: k * 1000, end: (k + 1) * 1000, items: 2 })),
    spans: opts.ran.flatMap((_, k) => [{ thread: 1, region: k, start: k * 1000, end: k * 1000 + 900 }, { thread: 2, region: k, start: k * 1000, end: k * 1000 + 800 }]),
    durationUs: opts.ran.length * 1000 + 100,
  });
  r.meta.pool = { threads: 2, schedule: opts.defaults };
  if (opts.script) r.meta.script = opts.script;
  return r;
}
const side = (name: string, r: Report) => sideFromRun(name, r, summarizeRun(r, analyze(r), name));

test('a run is labelled with the schedule its operations ran under, not the defaults', () => {
  const a = side('a.parprof', run({ defaults: 'steal', ran: ['static'] }));
  const b = side('b.parprof', run({ defaults: 'static', ran: ['static'] }));
  assert.equal(a.variants[0].label, '2 threads, static');
  assert.deepEqual(pairVariants(a, b).map(([, , mismatch]) => mismatch), [undefined]);
  // Planted the other way: the same defaults, different schedules run: they differ.
  const c = side('c.parprof', run({ defaults: 'steal', ran: ['dynamic'] }));
  assert.deepEqual(pairVariants(a, c).map(([, , mismatch]) => mismatch), ['configurations differ: 2 threads, static against 2 threads, dynamic']);
  assert.equal(side('m.parprof', run({ defaults: 'steal', ran: ['static', 'dynamic'] })).variants[0].label, '2 threads, static + dynamic');
  assert.equal(side('s.parprof', run({ defaults: 'steal', ran: ['static'], threads: 0 })).variants[0].label, 'sequential');
  assert.equal(side('n.parprof', run({ defaults: 'steal', ran: [] })).variants[0].label, 'no ThreadPool operation');
});

test('different scripts get a note; the same script, none', () => {
  const a = side('a.parprof', run({ script: '/w/app/old.js', defaults: 'steal', ran: ['static'] }));
  const b = side('b.parprof', run({ script: '/w/app/new.js', defaults: 'steal', ran: ['static'] }));
  const same = side('c.parprof', run({ script: '/w/app/old.js', defaults: 'steal', ran: ['static'] }));
  const note = (x: typeof a, y: typeof a) => compareNotes(x, y, false).filter((l) => /different scripts/.test(l));
  assert.deepEqual(note(a, b), ['note: the two sides ran different scripts (old.js against new.js): regions pair only where their names and places match']);
  assert.deepEqual(note(a, same), []);
  // Which "whole run" the rows are: not report's run time.
  assert.match(compareNotes(a, same, false)[0], /^note: whole run = from .* to the end of its last pool operation, less the wait for pool start-up, as sweep and ab measure it \(parprof report's "run" is the whole process\)$/);
  const elsewhere = side('d.parprof', run({ script: '/w/other/old.js', defaults: 'steal', ran: ['static'] }));
  assert.deepEqual(note(a, elsewhere), ['note: the two sides ran different scripts (/w/app/old.js against /w/other/old.js): regions pair only where their names and places match']);
  // The comparison itself still runs: a user may compare two versions of a script kept apart.
  assert.equal(compareSides(a, b, { maxRegression: 0.05, minDeltaMs: 1, topFunctions: 5 }).pairs.length, 1);
});

test('an A/B side names its thread count as a run does, and pairs with a run of the same configuration without a note', () => {
  const r = run({ defaults: 'steal', ran: ['dynamic'] });
  const summary = summarizeRun(r, analyze(r), 'r.parprof');
  const ab = { kind: 'ab', script: r.meta.script, variants: [
    { label: 'static', threads: 2, schedule: 'static', chunkSize: null, runs: [summary] },
    { label: 'dynamic', threads: 2, schedule: 'dynamic', chunkSize: null, runs: [summary] },
  ] } as unknown as SweepReport;
  const base = sideFromSweep('ab.parprof-sweep.json', ab);
  assert.deepEqual(base.variants.map((v) => v.label), ['2 threads, static', '2 threads, dynamic']);
  assert.equal(ab.variants[0].label, 'static', 'the sweep report itself is left as it was');
  const next = side('d.parprof', r);
  assert.deepEqual(pairVariants(base, next).map(([b, n, mismatch]) => [b.label, n.label, mismatch]), [['2 threads, dynamic', '2 threads, dynamic', undefined]]);
  // Two runs that differ: the pair's line says so once, without repeating the labels.
  const text = formatCompareText(compareSides(side('s.parprof', run({ defaults: 'steal', ran: ['static'] })), next, { maxRegression: 0.05, minDeltaMs: 1, topFunctions: 5 }), 's.parprof', 'd.parprof');
  assert.match(text, /^2 threads, static against 2 threads, dynamic — note: the configurations differ$/m);
});

test('no configuration in common: each side\'s configurations whole and quoted, with the schedule a sweep\'s labels leave out', () => {
  const v = (label: string, threads: number, schedule: Schedule, chunkSize: number | null = null) =>
    ({ label, threads, schedule, chunkSize, runs: [] }) as unknown as SweepReport['variants'][number];
  const ab = { name: 'ab.json', variants: [v('2 threads, static', 2, 'static'), v('2 threads, dynamic', 2, 'dynamic', 8)] };
  const sweep = { name: 'sweep.json', variants: [v('sequential', 0, 'steal'), v('1 thread', 1, 'steal'), v('2 threads', 2, 'steal')] };
  assert.throws(() => pairVariants(ab, sweep), {
    message: "no configuration in common (threads, schedule, chunk size): ab.json has '2 threads, static', '2 threads, dynamic, chunk size 8'; sweep.json has 'sequential', '1 thread, steal', '2 threads, steal'",
  });
});
