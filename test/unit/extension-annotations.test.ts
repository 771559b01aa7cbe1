// Editor annotations: each file keeps its own last run's numbers, stale text is detected, and a
// TypeScript pool call site names the .ts line (recorded for real through the runner).
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AnnotationStore, CHANGED_SINCE_RUN, fingerprintAtRun, matchesText, runAnnotations, textFingerprint,
  type FileAnnotations } from '../../src/model/annotations';
import { lineHotness } from '../../src/model/lines';
import { analyze } from '../../src/model/analysis';
import { runProfiled } from '../../src/runner/run';

const fixture = (name: string) => join(__dirname, '..', '..', '..', 'test', 'fixtures', name);

function annotations(file: string, script: string, reportFile: string, fingerprint?: string): FileAnnotations {
  return { file, script, reportFile, fingerprint, lenses: [{ line: 3, region: 0, name: 'map spin', title: 'x' }], threadNames: {} };
}

test('a run of a second script keeps the first script\'s annotations; a new run of a script replaces only its own', () => {
  const store = new AnnotationStore();
  store.addRun('/w/a.js', [annotations('/w/a.js', '/w/a.js', 'a1'), annotations('/w/tasks.js', '/w/a.js', 'a1')]);
  store.addRun('/w/b.js', [annotations('/w/b.js', '/w/b.js', 'b1')]);
  assert.deepEqual(store.files().sort(), ['/w/a.js', '/w/b.js', '/w/tasks.js']);
  assert.equal(store.get('/w/a.js')?.reportFile, 'a1');
  // a.js again, now without time in tasks.js: its old tasks.js numbers go, b's stay.
  const changed = store.addRun('/w/a.js', [annotations('/w/a.js', '/w/a.js', 'a2')]);
  assert.deepEqual(changed.sort(), ['/w/a.js', '/w/tasks.js']);
  assert.equal(store.get('/w/a.js')?.reportFile, 'a2');
  assert.equal(store.get('/w/tasks.js'), undefined);
  assert.equal(store.get('/w/b.js')?.reportFile, 'b1');
  // A run of b that also has time in a.js takes a.js over.
  store.addRun('/w/b.js', [annotations('/w/b.js', '/w/b.js', 'b2'), annotations('/w/a.js', '/w/b.js', 'b2')]);
  assert.equal(store.get('/w/a.js')?.reportFile, 'b2');
  assert.deepEqual(store.clear().sort(), ['/w/a.js', '/w/b.js']);
  assert.deepEqual(store.files(), []);
});

test('fingerprints: the text that ran matches, an edit or a file written after the run started does not', () => {
  const text = 'const a = 1;\nawait pool.map("spin", range(0, 10));\n';
  assert.equal(textFingerprint(text), textFingerprint(String(text)));
  assert.notEqual(textFingerprint(text), textFingerprint(text.replace('10', '11')));
  assert.notEqual(textFingerprint('ab'), textFingerprint('ba'));
  const ran = fingerprintAtRun(text, 1_000, 2_000);
  assert.ok(matchesText({ fingerprint: ran }, text));
  assert.ok(!matchesText({ fingerprint: ran }, `// edited\n${text}`));
  assert.equal(fingerprintAtRun(text, 3_000, 2_000), CHANGED_SINCE_RUN);
  assert.ok(!matchesText({ fingerprint: CHANGED_SINCE_RUN }, text));
  assert.ok(matchesText({}, 'anything'), 'an unknown fingerprint never hides numbers');
});

test('a TypeScript call site and its hot lines point into the .ts file, on the line of the call', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'parprof-ext-ts-'));
  try {
    const script = fixture('ts-pool-callsite.ts');
    const { report, file } = await runProfiled({ script, cwd: dir, out: join(dir, 'r.parprof'), onOutput: () => undefined });
    assert.equal(report.exit.code, 0, `exit ${JSON.stringify(report.exit)}`);
    const callLine = readFileSync(script, 'utf8').split('\n').findIndex((l) => l.includes('// CALL SITE')) + 1;
    const map = report.regions.find((r) => r.kind === 'map');
    assert.ok(map?.callSite, 'the map region has no call site');
    assert.equal(map.callSite.file, script);
    assert.equal(map.callSite.line, callLine);
    const files = runAnnotations(file, report, analyze(report), lineHotness(report), (r) => r.name);
    const own = files.find((f) => f.file === script);
    assert.deepEqual(own?.lenses.map((l) => l.line), [callLine]);
    assert.equal(own?.threadNames[report.threads.find((t) => t.kind === 'main')!.id], 'main');
    assert.ok(files.some((f) => f.file === fixture('rec-pool-tasks.js') && (f.hot?.lines.length ?? 0) > 0), 'no hot lines in the task module');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('at most three region lenses per line (a pool call in a loop starts many regions)', () => {
  const regions = Array.from({ length: 5 }, (_, id) => ({ id, name: `map ${id}`, callSite: { file: 'file:///w/loop.js', line: 7, column: 3 } }));
  const report = { meta: { script: '/w/loop.js' }, threads: [{ id: 0, name: 'main' }], regions } as unknown as Parameters<typeof runAnnotations>[1];
  const metrics = { regions: regions.map((r) => ({ id: r.id })) } as unknown as Parameters<typeof runAnnotations>[2];
  const [entry] = runAnnotations('r.parprof', report, metrics, [], (r) => r.name);
  assert.equal(entry.file, '/w/loop.js');
  assert.deepEqual(entry.lenses.map((l) => l.title), ['map 0', 'map 1', 'map 2']);
});
