// Child processes with a hard timeout, so the benchmark can never hang on a stuck pool or CLI.
import { spawn } from 'node:child_process';

/**
 * Runs a command; resolves (never rejects) with { code, signal, stdout, stderr, timedOut, ms }.
 * The child gets its own process group so a timeout also kills whatever it spawned (the CLI
 * spawns the profiled script). ms is wall time in milliseconds from spawn to exit.
 */
export function run(cmd, args, { env = {}, timeoutMs = 60_000, cwd } = {}) {
  return new Promise((resolve) => {
    const t0 = process.hrtime.bigint();
    const child = spawn(cmd, args, { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let stdout = '', stderr = '', timedOut = false;
    child.stdout.on('data', (d) => { stdout += d; });
    child.stderr.on('data', (d) => { stderr += d; });
    const timer = setTimeout(() => {
      timedOut = true;
      try { process.kill(-child.pid, 'SIGKILL'); } catch { /* already gone */ }
    }, timeoutMs);
    const done = (code, signal, spawnError) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr: spawnError ? String(spawnError) : stderr, timedOut, ms: Number(process.hrtime.bigint() - t0) / 1e6 });
    };
    child.on('error', (e) => done(null, null, e));
    child.on('close', (code, signal) => done(code, signal));
  });
}

/**
 * Runs a command that prints one JSON object as its last stdout line. Resolves with
 * { ok: true, value, ms } or { ok: false, reason } where reason is one short line.
 */
export async function runJson(cmd, args, opts) {
  const r = await run(cmd, args, opts);
  if (r.timedOut) return { ok: false, reason: `timed out after ${Math.round((opts?.timeoutMs ?? 60_000) / 1000)} s` };
  const last = r.stdout.trim().split('\n').pop() ?? '';
  let value;
  try { value = JSON.parse(last); } catch { /* reported below */ }
  if (value?.error) return { ok: false, reason: value.error };
  if (r.code !== 0 || !value) {
    const why = (r.stderr.trim().split('\n').find((l) => /error/i.test(l)) ?? r.stderr.trim().split('\n').pop() ?? '').slice(0, 160);
    return { ok: false, reason: `exit ${r.code ?? r.signal}${why ? ': ' + why : ''}` };
  }
  return { ok: true, value, ms: r.ms };
}

export const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
