// A report imported from CPU profiles alone (a folder of `node --cpu-prof` files) has no task
// spans: its headline cards must not claim a utilization of 0 % or an imbalance of 1.00, and,
// knowing no core count, must not say "on N cores". A recording keeps its numbers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { importCpuProfiles } from '../../src/model/import-cpuprofile';
import { syntheticReport } from '../../src/model/synthetic';
import { launch, openReport } from './browser';

/** Three threads' profiles as `node --cpu-prof` writes them (one file per thread). */
function cpuProfFolder() {
  const r = syntheticReport({ threads: 3, spans: 30, profiles: 3, samplesPerProfile: 200, seed: 9 });
  return r.profiles.map((p, i) => ({ name: `CPU.20261202.053000.4242.${i}.00${i + 1}.cpuprofile`, json: p.profile as unknown }));
}

test('an import without task spans shows "—" for balance numbers and counts threads, not cores', async () => {
  const imported = importCpuProfiles(cpuProfFolder(), 'prof');
  const b = await launch();
  try {
    const { page, errors } = await openReport(b, imported, 'import-headline');
    const card = async (key: string) => (await page.locator(`[data-headline="${key}"] dd`).first().textContent())?.trim();
    for (const key of ['utilization', 'imbalance', 'potentialGain', 'wall']) assert.equal(await card(key), '— (no task spans)', key);
    assert.equal(await card('threads'), `0 of ${imported.threads.length} threads`);
    assert.doesNotMatch(await page.locator('body').innerText(), /on \d+ cores/);
    assert.deepEqual(errors, []);
    // The summary tab: no queue-wait claim without tasks.
    const summary = await openReport(b, imported, 'import-summary', '#view=summary');
    assert.equal((await summary.page.locator('[data-metric="queueWait"] dd').textContent())?.trim(), '— (no task spans)');

    const recorded = syntheticReport({ threads: 3, spans: 300, profiles: 2, samplesPerProfile: 100, seed: 3 });
    const rec = await openReport(b, recorded, 'recorded-headline');
    const util = (await rec.page.locator('[data-headline="utilization"] dd').first().textContent())?.trim();
    assert.match(util ?? '', /^\d+(\.\d)? %$/, 'a recording shows its utilization');
    assert.match((await rec.page.locator('[data-headline="threads"] dd').first().textContent()) ?? '', / on \d+ cores$/);
  } finally {
    await b.close();
  }
});

test('a report recorded with sampling off says so in the flamegraph, call tree and flame chart', async () => {
  const r = syntheticReport({ threads: 3, spans: 300, profiles: 0, samplesPerProfile: 0, seed: 5 });
  r.profiles = [];
  r.meta.sampleIntervalUs = 0;
  const b = await launch();
  try {
    for (const view of ['flamegraph', 'calltree', 'flamechart']) {
      const { page, errors } = await openReport(b, r, `no-samples-${view}`, `#view=${view}`);
      const note = page.locator('.pp-no-samples:visible');
      await note.first().waitFor();
      assert.match((await note.first().textContent()) ?? '', /^No CPU samples in this report: it was recorded with CPU sampling off \(--sample-interval 0\)/, view);
      assert.deepEqual(errors, [], view);
      await page.close();
    }
    const sampled = syntheticReport({ threads: 3, spans: 300, profiles: 2, samplesPerProfile: 100, seed: 5 });
    const { page } = await openReport(b, sampled, 'with-samples', '#view=flamegraph');
    await page.locator('canvas').first().waitFor();
    assert.equal(await page.locator('.pp-no-samples').count(), 0, 'no note when samples exist');
  } finally {
    await b.close();
  }
});

test('a recorded script that used no pool: the summary names no pool and claims no queue wait', async () => {
  const r = syntheticReport({ threads: 2, spans: 0, profiles: 1, samplesPerProfile: 100, seed: 7 });
  r.regions = [];
  const b = await launch();
  try {
    const { page, errors } = await openReport(b, r, 'no-pool', '#view=summary');
    const about = (await page.locator('section[aria-label="Summary"] > p.pp-hint').first().textContent()) ?? '';
    assert.doesNotMatch(about, / · pool /, about);
    assert.equal((await page.locator('[data-metric="queueWait"] dd').textContent())?.trim(), '— (no task spans)');
    assert.deepEqual(errors, []);
    const pooled = await openReport(b, syntheticReport({ threads: 3, spans: 300, profiles: 1, samplesPerProfile: 100, seed: 7 }), 'pooled', '#view=summary');
    assert.match((await pooled.page.locator('section[aria-label="Summary"] > p.pp-hint').first().textContent()) ?? '', / · pool \d+ threads?, schedules? /);
  } finally {
    await b.close();
  }
});
