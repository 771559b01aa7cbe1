// An import says only what its file knows. A real recording (a ThreadPool on 3 workers: 4
// threads, on a machine whose cores the report knows) is exported to speedscope, a folder of
// .cpuprofile files and a Chrome trace stripped of our metadata (another tool's); read back,
// none of them may name a core count (the importers' meta.cores is a placeholder) or say that the
// script used no pool (the formats carry no task spans). Our own Chrome export keeps the run's
// meta and says the recorded cores, which are true. Markdown of an import says the same.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { analyze } from '../../src/model/analysis';
import { toChromeTrace } from '../../src/model/export-chrome';
import { toCpuProfiles } from '../../src/model/export-cpuprofile';
import { toMarkdown } from '../../src/model/export-markdown';
import { toSpeedscope } from '../../src/model/export-speedscope';
import { importReport } from '../../src/model/import';
import { importCpuProfiles } from '../../src/model/import-cpuprofile';
import type { Report } from '../../src/model/report';
import { formatSummary } from '../../src/model/summary';
import { record } from './record-helpers';

const texts = (r: Report): { summary: string; markdown: string } => {
  const m = analyze(r);
  return { summary: formatSummary(r, m), markdown: toMarkdown(r, m) };
};

test("imports of a recorded pool run name no cores and do not say the script used no pool", async () => {
  const { report } = await record('rec-pool.js', { threads: 3 });
  assert.equal(report.threads.length, 4, 'main and 3 pool workers');
  const cores = report.meta.cores;
  assert.match(texts(report).summary, new RegExp(`3 worker threads on ${cores} cores?`), 'the recording itself says its cores');

  const other = toChromeTrace(report, { profiles: true }) as unknown as Record<string, unknown>;
  delete other.metadata;
  delete other.otherData;
  const imports: [string, Report][] = [
    ['speedscope', importReport(JSON.parse(JSON.stringify(toSpeedscope(report))), 'run.speedscope.json')],
    ['cpuprofiles', importCpuProfiles(toCpuProfiles(report).map((f) => ({ name: f.name, json: JSON.parse(JSON.stringify(f.profile)) })), 'run-folder')],
    ['chrome', importReport(JSON.parse(JSON.stringify(other)), 'other.trace.json')],
  ];
  for (const [kind, r] of imports) {
    const { summary, markdown } = texts(r);
    assert.match(summary.split('\n')[1], new RegExp(`^imported \\(${kind}\\b.* · ${r.threads.length} threads$`), kind);
    for (const [where, text] of [['summary', summary], ['markdown', markdown]]) {
      assert.doesNotMatch(text, /\bon \d+ cores?\b|\d+ cores\b/, `${kind} ${where} names no core count`);
      assert.doesNotMatch(text, /no parallel-profiler pool|process start to exit/, `${kind} ${where}`);
    }
    assert.doesNotMatch(markdown, /\| utilization \| 0 %/, `${kind}: no utilization without task spans`);
    assert.match(markdown, /^imported \(/m, kind);
  }
  // The speedscope import of our export is exported again with the same exporter: the round trip holds.
  const ss = JSON.stringify(toSpeedscope(report));
  assert.equal(JSON.stringify(toSpeedscope(importReport(JSON.parse(ss), 'x.speedscope.json'))), ss);

  // Our own Chrome export keeps what the run recorded: its cores are a fact of the file.
  const ours = importReport(JSON.parse(JSON.stringify(toChromeTrace(report, { profiles: true }))), 'run.trace.json');
  assert.match(texts(ours).summary, new RegExp(`3 worker threads on ${cores} cores?`));
});
