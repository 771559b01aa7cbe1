// tinypool's process workers (runtime 'child_process') also get one span per task, to its reply.
// A child process its parent ends with kill() is stopped by its owner, as a terminate()d worker
// thread is: not a death. Before, every process worker of vitest --pool=forks read "died: killed
// by SIGTERM" and its region "did not finish normally (unfinished)", 12 alarm lines for a clean
// run. Real tinypool (runtime 'child_process') from npm, real processes; a child ended by
// process.kill(pid) (not its ChildProcess's kill()) is still a death.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { join } from 'node:path';
import { analyze } from '../../src/model/analysis';
import { formatSummary } from '../../src/model/summary';
import { parseReport, serializeReport } from '../../src/model/load';
import { fixtures, record } from './record-helpers';

test('tinypool process workers ended by destroy() (kill(), SIGTERM): stopped by their parent, not died; their regions end', async () => {
  const { report, stdout } = await record(join(fixtures(), 'child-pool-stop.js'));
  const poolPids = /pool (\d+) (\d+)/.exec(stdout)?.slice(1).map(Number);
  const otherPid = Number(/other (\d+)/.exec(stdout)?.[1]);
  assert.ok(poolPids && otherPid > 0, stdout);
  const summary = formatSummary(report, analyze(report));
  for (const pid of poolPids) {
    const p = report.processes?.find((x) => x.pid === pid);
    assert.ok(p, `process ${pid} recorded: ${JSON.stringify(report.processes)}`);
    // tinypool sends SIGKILL when a worker has not exited 1 s after its SIGTERM (a child saving its
    // recording on a very loaded machine): that one did not save, and stays a death.
    if (p.exit?.signal === 'SIGKILL') {
      assert.equal(p.died?.reason, 'killed by SIGKILL');
      continue;
    }
    assert.deepEqual(p.exit, { code: null, signal: 'SIGTERM' });
    assert.equal(p.died, undefined, `process ${pid}: ${JSON.stringify(p.died)}`);
    assert.ok(p.terminated && p.terminated.at <= p.end!, JSON.stringify(p));
    assert.match(summary, new RegExp(`process ${pid} \\(fork of process\\.js\\): main; stopped by its parent \\(kill\\(\\), SIGTERM\\)`));
    assert.doesNotMatch(summary, new RegExp(`process ${pid} [^\\n]*died`));
    for (const r of report.regions.filter((x) => x.process === pid)) assert.equal(r.outcome, 'ok', `${r.name}: ${r.outcome}`);
  }
  // Its tasks: one span per task message (none for the pool's own), from the message to the reply,
  // so each lasts the task's 20 ms spin at least (before: the listener's return, 16 µs, and a span
  // for each worker's 'ready' message too).
  const poolRegions = new Set(report.regions.filter((r) => poolPids.includes(r.process!)).map((r) => r.id));
  const tasks: number[] = [];
  for (let k = 0; k < report.spans.count; k++) if (poolRegions.has(report.spans.region[k])) tasks.push((report.spans.end[k] - report.spans.start[k]) / 1000);
  assert.equal(tasks.length, 6, JSON.stringify(tasks));
  for (const ms of tasks) assert.ok(ms >= 20, `a task span of ${ms} ms: the task spins 20 ms`);
  const other = report.processes?.find((x) => x.pid === otherPid);
  assert.equal(other?.died?.reason, 'killed by SIGTERM');
  assert.equal(other?.terminated, undefined);
  // The field survives a write and a read.
  assert.deepEqual(parseReport(serializeReport(report)).processes, report.processes);
});
