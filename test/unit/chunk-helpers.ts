// Shared by the tests of CPU samples under faults (profile-faults, nested-nudge): fixtures
// announce each CPU profile chunk once it is on disk (`chunk <tid> <start> <end> <samples>` on
// stdout); these read the announcements and check what the report kept of them.
import assert from 'node:assert/strict';
import type { CpuProfile, Report } from '../../src/model/report';

export interface Chunk { start: number; end: number; samples: number }

/** Reads the fixture's `chunk <tid> <start> <end> <samples>` lines; calls `act` once every thread in `threads` announced `times` chunks. */
export function chunkWatcher(threads: number, times: number, act: () => void): { onText: (text: string) => void; chunks: Map<number, Chunk[]> } {
  const chunks = new Map<number, Chunk[]>();
  let buffer = '';
  let acted = false;
  return {
    chunks,
    onText: (text) => {
      buffer += text;
      const lines = buffer.split('\n');
      buffer = lines.pop()!;
      for (const line of lines) {
        const m = /^chunk (\d+) ([\d.]+) ([\d.]+) (\d+)$/.exec(line);
        if (!m) continue;
        const tid = Number(m[1]);
        if (!chunks.has(tid)) chunks.set(tid, []);
        chunks.get(tid)!.push({ start: Number(m[2]), end: Number(m[3]), samples: Number(m[4]) });
      }
      if (!acted && chunks.size === threads && [...chunks.values()].every((c) => c.length >= times)) {
        acted = true;
        act();
      }
    },
  };
}

/** Sample times (µs from origin) of the samples whose leaf is `fn` (all samples without one). */
export function sampleTimes(p: CpuProfile, fn?: string): number[] {
  const name = new Map(p.nodes.map((n) => [n.id, n.callFrame.functionName]));
  const out: number[] = [];
  let t = p.startTime;
  for (let k = 0; k < p.samples.length; k++) {
    t += p.timeDeltas[k];
    if (fn === undefined || name.get(p.samples[k]) === fn) out.push(t);
  }
  return out;
}

/**
 * Every chunk announced is in the report: the thread's profile reaches at least the last
 * announced chunk's end, the last announced chunk that had samples has samples in the report
 * (which functions depends on where the machine let the thread run: the recorder's own cut is
 * sampled too), and the thread's loop is sampled. Returns the profile.
 */
export function checkAnnouncedKept(report: Report, tid: number, chunks: Chunk[]): CpuProfile {
  const origin = report.meta.originUs;
  const profile = report.profiles.find((p) => p.thread === tid)?.profile;
  assert.ok(profile, `thread ${tid} has a profile`);
  const last = chunks[chunks.length - 1];
  assert.ok(profile.endTime >= last.end - origin, `thread ${tid}: profile ends at ${profile.endTime}, before the announced chunk end ${last.end - origin}`);
  const c = chunks.filter((x) => x.samples > 0).at(-1);
  assert.ok(c, `thread ${tid}: its announced chunks have samples`);
  assert.ok(sampleTimes(profile).some((t) => t >= c.start - origin && t <= c.end - origin), `thread ${tid}: no sample of its last announced chunk ${c.start - origin}..${c.end - origin}`);
  assert.ok(sampleTimes(profile, 'plantedSpin').length > 0, `thread ${tid}: plantedSpin was not sampled`);
  return profile;
}

/** A killed thread's loss is one gap, from exactly its profile's end to when it (else its process) was seen to end. */
export function checkTailLost(report: Report, tid: number, profile: CpuProfile): void {
  const gaps = (report.dropped.sampleGaps ?? []).filter((g) => g.thread === tid);
  assert.equal(gaps.length, 1, `thread ${tid}: one sample gap, got ${JSON.stringify(gaps)}`);
  assert.equal(gaps[0].from, profile.endTime, 'the gap starts where the last chunk ended');
  assert.equal(gaps[0].to, report.threads.find((t) => t.id === tid)?.end ?? report.meta.durationUs, 'and lasts until the thread was seen to end');
  assert.equal(report.profiles.find((p) => p.thread === tid)?.partial, true, 'its profile is marked partial');
}

/**
 * A worker asked to save before it is stopped (process.exit() on main, terminate()) has
 * SAVE_TIMEOUT_MS to do it: on a machine too busy to let it, its loss must be one exact gap;
 * otherwise its profile goes on past the last chunk announced (its final chunk, cut when it
 * saved; how many samples that holds depends on the machine), and there is no gap.
 */
export function checkSavedOrTailLost(report: Report, tid: number, chunks: Chunk[]): void {
  const profile = checkAnnouncedKept(report, tid, chunks);
  if ((report.dropped.sampleGaps ?? []).some((g) => g.thread === tid)) {
    checkTailLost(report, tid, profile);
    return;
  }
  const after = chunks[chunks.length - 1].end - report.meta.originUs;
  assert.ok(profile.endTime > after, `thread ${tid}: its profile ends at ${profile.endTime}, not after the last announced chunk (${after}): no final chunk`);
}
