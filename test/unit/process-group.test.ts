// A process group whose only member left is a zombie has ended: the run does not wait for a PID 1
// to reap it (esbuild's orphaned service process after every .ts run held the report 1.5-2 s).
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { groupAlive, statFields } from '../../src/runner/process-group';

const linux = process.platform === 'linux' && existsSync('/proc/self/stat') && spawnSync('setsid', ['true']).status === 0;

function state(pid: number): string | undefined {
  try {
    return statFields(readFileSync(`/proc/${pid}/stat`, 'latin1'))?.state;
  } catch {
    return undefined;
  }
}

async function until(what: string, ok: () => boolean): Promise<void> {
  for (const deadline = Date.now() + 20_000; !ok();) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

test('statFields reads the state and group after a command name with spaces and parentheses', () => {
  assert.deepEqual(statFields('4242 (a b) c)) Z 1 4240 4240 0 -1 4228 0 0'), { state: 'Z', pgrp: 4240 });
  assert.equal(statFields('garbage'), undefined);
});

test('a group whose only member is a zombie has ended; with a live member it has not', { skip: !linux && 'needs Linux /proc and setsid' }, async () => {
  // The outer shell (our group) starts the member in a group of its own (setsid), then becomes
  // `sleep 30`, which never reaps it: once the member is killed it stays a zombie of a live parent.
  const outer = spawn('sh', ['-c', 'setsid sh -c \'echo $$; exec sleep 30\' & exec sleep 30'], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    const member = await new Promise<number>((resolve, reject) => {
      outer.stdout.once('data', (b: Buffer) => resolve(Number(String(b).trim())));
      outer.once('error', reject);
    });
    assert.ok(member > 0);
    await until(`the member leads its own group`, () => state(member) !== undefined && groupIdOf(member) === member);
    assert.equal(groupAlive(member), true, 'a group with a running member is alive');
    process.kill(member, 'SIGKILL');
    await until(`the member is a zombie`, () => state(member) === 'Z');
    // The case itself: the group still exists for kill(), as the old check saw it.
    assert.doesNotThrow(() => process.kill(-member, 0));
    assert.equal(groupAlive(member), false, 'a group of zombies only has ended');
  } finally {
    outer.kill('SIGKILL');
  }
});

test('a group that is gone has ended', () => {
  // Group ids are process ids; this one is far above any pid_max.
  assert.equal(groupAlive(2 ** 30 + 7), false);
});

function groupIdOf(pid: number): number | undefined {
  try {
    return statFields(readFileSync(`/proc/${pid}/stat`, 'latin1'))?.pgrp;
  } catch {
    return undefined;
  }
}
