// The profiler is a guest: a script's raw workers and child processes end the same way with and
// without it. The fixture's workers throw, reject, call process.exit(7), end normally, set
// process.exitCode, and are terminate()d idle and while spinning; its forked children are killed
// with SIGTERM; what the script sees of each ('error' events, exit codes and signals, what
// terminate() resolves to) and its own exit status must not change under record.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { fixtures, record } from './record-helpers';

const FIXTURE = 'f1-worker-exits.js';
const seenLines = (stdout: string): string[] => stdout.split('\n').filter((l) => l.startsWith('seen '));

test("raw workers' exit codes and 'error' events are the same under record as under plain node", async () => {
  const plain = spawnSync(process.execPath, [join(fixtures(), FIXTURE)], { cwd: fixtures(), encoding: 'utf8' });
  assert.equal(plain.status, 3, plain.stderr);
  const expected = seenLines(plain.stdout);
  // The fixture's own answer, so a fixture that stopped exercising a case fails here, not silently.
  assert.deepEqual(expected, [
    'seen throw error planted crash', 'seen throw exit 1',
    'seen reject error planted rejection', 'seen reject exit 1',
    'seen exit7 exit 7',
    'seen normal exit 0',
    'seen exitCode5 exit 5',
    'seen exitCode4-exit exit 4',
    'seen terminate-idle exit 1', 'seen terminate-idle terminate() 1',
    'seen terminate-spin exit 1', 'seen terminate-spin terminate() 1',
    'seen child exit null SIGTERM', 'seen child-own-listener exit 5 null',
  ]);

  const { report, stdout, stderr } = await record(FIXTURE);
  assert.deepEqual(seenLines(stdout), expected, stderr);
  assert.equal(report.exit.code, 3, 'the main thread exit code set with process.exitCode and process.exit()');
  // The report tells the same story: the thread that threw died of it, the exit7 one of process.exit(7).
  const died = report.threads.map((t) => t.died?.reason).filter((r): r is string => r !== undefined);
  assert.ok(died.some((r) => /planted crash/.test(r)), died.join(' | '));
  assert.ok(died.some((r) => /process\.exit\(7\)/.test(r)), died.join(' | '));
  // The child its parent ended with kill('SIGTERM') saved its recording first; a stop by its owner is no death (processes[].terminated).
  const killed = report.processes?.find((p) => p.args[0] === 'child');
  assert.ok(killed?.terminated, 'stopped by its parent');
  assert.equal(killed?.died, undefined);
  const main = report.threads.find((t) => t.process === killed!.pid && t.kind === 'main');
  assert.ok(report.profiles.some((p) => p.thread === main?.id && p.profile.samples.length > 0), 'its profile is kept');
});
