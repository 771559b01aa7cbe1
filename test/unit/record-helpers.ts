// Shared by the recording tests: runs a fixture under the profiler into a temp report.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CpuProfile, Report } from '../../src/model/report';
import { packageRoot } from '../../src/runner/paths';
import { runProfiled, type RunOptions, type RunResult } from '../../src/runner/run';

export const fixtures = (): string => join(packageRoot(), 'test', 'fixtures');

// Each test file runs in a process of its own: its reports go when it exits (a unit run left
// ~250 directories of up to 12 MB each in the temp dir).
const made: string[] = [];
process.on('exit', () => { for (const dir of made) rmSync(dir, { recursive: true, force: true }); });

/** A temp directory of this test process, removed when it exits. */
export function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  made.push(dir);
  return dir;
}

export async function record(script: string, extra: Partial<RunOptions> = {}): Promise<RunResult & { stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const out = join(tempDir('parprof-test-'), 'run.parprof');
  const result = await runProfiled({
    script, out, cwd: fixtures(),
    onOutput: (text, stream) => { if (stream === 'stdout') stdout += text; else stderr += text; },
    ...extra,
  });
  return { ...result, stdout, stderr };
}

/** Function names of the frames with at least one sample in the profile. */
export function sampledFunctions(profile: CpuProfile): Set<string> {
  const sampled = new Set(profile.samples);
  return new Set(profile.nodes.filter((n) => sampled.has(n.id)).map((n) => n.callFrame.functionName));
}

/** Every span must be well formed and inside its thread's recorded life. */
export function checkSpans(report: Report): void {
  const threads = new Map(report.threads.map((t) => [t.id, t]));
  const s = report.spans;
  for (let k = 0; k < s.count; k++) {
    const t = threads.get(s.thread[k]);
    if (!t) throw new Error(`span ${k}: unknown thread ${s.thread[k]}`);
    if (!(s.enqueue[k] <= s.start[k] && s.start[k] <= s.end[k])) throw new Error(`span ${k}: enqueue ${s.enqueue[k]} start ${s.start[k]} end ${s.end[k]}`);
    if (s.start[k] < t.start || (t.end !== undefined && s.end[k] > t.end)) throw new Error(`span ${k} outside thread ${t.id} life`);
    if (!report.regions[s.region[k]]) throw new Error(`span ${k}: unknown region ${s.region[k]}`);
  }
}
