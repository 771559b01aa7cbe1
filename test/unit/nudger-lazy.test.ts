// The profile nudging (profile-nudger.ts): workers are asked by the main thread through its own
// session, and the helper's session into the main thread (connectToMainThread, the API of a known
// rare abort, nodejs/node#40611) is opened only when main runs no timers. Fails before: the
// helper connected at start in every run, and the workers were asked through it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { record } from './record-helpers';

function parse(stdout: string): { state: number; late: number } {
  const m = /^state (-?\d+) late (\d+)$/m.exec(stdout);
  assert.ok(m, `the fixture printed its state: ${stdout}`);
  return { state: Number(m[1]), late: Number(m[2]) };
}

test('main awaiting its workers: the helper does not connect (unless main\'s own timers ran late), and main asks the spinning workers to cut', async () => {
  const r = await record('nudger-lazy.js', { args: ['yield'] });
  const { state, late } = parse(r.stdout);
  // 2 chunk lengths (500 ms) overdue before it connects; main's own timer cuts from 250 ms on.
  if (late < 200) assert.equal(state, 1, `helper state ${state} (1: watching, 3: connected) with main's timers at most ${late} ms late`);
  else assert.ok(state === 1 || state === 3, `state ${state}`);
  const chunks = [...r.stdout.matchAll(/^chunk (\d+) /gm)].map((m) => Number(m[1]));
  const workers = r.report.threads.filter((t) => t.kind === 'worker').map((t) => t.id);
  assert.equal(workers.length, 2, 'two workers recorded');
  // 700 ms in one task, no timer of their own: every chunk they announce was cut on main's ask.
  for (const tid of workers) assert.ok(chunks.filter((c) => c === tid).length >= 1, `worker ${tid} cut ${chunks.filter((c) => c === tid).length} chunks on asks`);
});

test('main spinning: the helper connects and main\'s samples are cut while it spins', async () => {
  const r = await record('nudger-lazy.js', { args: ['spin'] });
  assert.equal(parse(r.stdout).state, 3, 'the helper connected');
  // Main runs no timer while it spins: a chunk it announces was cut on the helper's ask (after ~500-625 ms).
  assert.ok(/^chunk 0 /m.test(r.stdout), `main cut chunks while it spun: ${r.stdout}`);
});
