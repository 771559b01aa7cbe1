// The choices of "Profile with Options…" and "Profile with N threads…": what each step offers,
// which entry is the default and what a pick means. Pure; the extension draws the QuickInput.
import { SCHEDULES, type Schedule } from './report';

/** One entry of a pick step. `value` undefined = leave it to the script's pools / the settings. */
export interface Choice<T> {
  label: string;
  description?: string;
  detail?: string;
  value: T | undefined;
  /** The entry that is selected first: what happens when the user just presses Enter. */
  isDefault: boolean;
}

/** "default" first (the setting, else each pool's own: all cores), then 1…cores. */
export function threadChoices(cores: number, setting: number | undefined): Choice<number>[] {
  const n = Math.max(1, Math.floor(cores));
  const own = setting ? `${setting} (parallelProfiler.threads)` : `each pool's own (all ${n} cores unless it sets threads)`;
  return [
    { label: 'default', description: `${own} · default`, value: setting, isDefault: true },
    ...Array.from({ length: n }, (_, i) => ({
      label: String(i + 1), description: i + 1 === n ? 'all cores' : undefined, value: i + 1, isDefault: false,
    })),
  ];
}

const SCHEDULE_DETAIL: Record<Schedule, string> = {
  static: 'contiguous chunks, one per thread, as naive code splits work',
  dynamic: 'threads pull the next chunk from a shared counter',
  steal: 'per-thread ranges; an idle thread steals half of a busy one\'s; fork-join',
};

/** "default" first (the setting, else each pool's own), then the schedules. */
export function scheduleChoices(setting: Schedule | undefined): Choice<Schedule>[] {
  return [
    { label: 'default', description: `${setting ? `${setting} (parallelProfiler.schedule)` : "each pool's own"} · default`, value: setting, isDefault: true },
    ...SCHEDULES.map((s) => ({ label: s, detail: SCHEDULE_DETAIL[s], value: s, isDefault: false })),
  ];
}

/** A sampling interval typed by the user: µs, a whole number, 0 = CPU profiling off. */
export function parseSampleInterval(text: string): { value: number } | { error: string } {
  const t = text.trim();
  if (!/^\d+$/.test(t)) return { error: `sampling interval must be a whole number of µs, got '${text}'` };
  return { value: Number(t) };
}

/** Splits `a "b c" 'd'` into [a, b c, d]. */
export function splitArgs(text: string): string[] {
  return [...text.matchAll(/"([^"]*)"|'([^']*)'|(\S+)/g)].map((m) => m[1] ?? m[2] ?? m[3]);
}

/** Thread counts of the "Sweep 1…N threads" lens: 1, the powers of 2 below the cores, the cores. */
export function sweepThreadCounts(cores: number): number[] {
  const n = Math.max(1, Math.floor(cores));
  const out: number[] = [];
  for (let t = 1; t < n; t *= 2) out.push(t);
  out.push(n);
  return out;
}
