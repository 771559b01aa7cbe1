// What report format 2 adds to each timeline lane: the user's blocking Atomics.wait calls as a
// hatched band along the lane's bottom (distinct from task colours: the thread sat blocked), and
// the stretches the thread was runnable but waiting for a core as a band along its top, as
// opaque as the share of the window it waited. Layout (rectangles) apart from drawing.
import { waitsByThread } from '../src/model/sync-waits';
import type { CpuTimeSeries, Report } from '../src/model/report';
import type { Palette } from './theme';

/** Height of the wait and descheduled bands, px. */
export const BAND_H = 5;

/** Rectangles [x0, x1) of the waits visible in [from, to] on a `width`-px axis, sub-pixel neighbours merged. */
export function waitRects(pairs: Float64Array, from: number, to: number, width: number): number[] {
  const n = pairs.length / 2;
  let lo = 0, hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (pairs[2 * mid + 1] < from) lo = mid + 1; else hi = mid;
  }
  const sx = width / (to - from);
  const out: number[] = [];
  for (let k = lo; k < n && pairs[2 * k] <= to; k++) {
    const x0 = Math.max(0, (pairs[2 * k] - from) * sx);
    const x1 = Math.min(width, Math.max(x0 + 1, (pairs[2 * k + 1] - from) * sx));
    const last = out.length - 2;
    if (last >= 0 && x0 - out[last + 1] < 1) out[last + 1] = Math.max(out[last + 1], x1);
    else out.push(x0, x1);
  }
  return out;
}

/** [x0, x1, share] per CPU reading window overlapping [from, to] where the thread waited for a core. */
export function descheduledRects(s: CpuTimeSeries, from: number, to: number, width: number): number[] {
  const out: number[] = [];
  if (!s.runnable) return out;
  const sx = width / (to - from);
  for (let k = 0; k + 1 < s.t.length; k++) {
    const a = s.t[k], b = s.t[k + 1];
    if (b < from || b <= a) continue;
    if (a > to) break;
    const share = Math.min(1, Math.max(0, s.runnable[k + 1] - s.runnable[k]) / (b - a));
    if (share < 0.05) continue;
    out.push(Math.max(0, (a - from) * sx), Math.min(width, (b - from) * sx), share);
  }
  return out;
}

export class LaneExtras {
  private readonly waits: Map<number, Float64Array>;
  private readonly cpu = new Map<number, CpuTimeSeries>();
  private pattern: CanvasPattern | null | undefined;
  private patternColor = '';

  constructor(report: Report) {
    this.waits = waitsByThread(report);
    for (const s of report.cpu ?? []) this.cpu.set(s.thread, s);
  }

  /** True when the report has anything these bands show. */
  get any(): boolean {
    return this.waits.size > 0 || [...this.cpu.values()].some((s) => s.runnable);
  }

  draw(ctx: CanvasRenderingContext2D, pal: Palette, thread: number, y: number, laneH: number, width: number, from: number, to: number): void {
    const cpu = this.cpu.get(thread);
    if (cpu) {
      const r = descheduledRects(cpu, from, to, width);
      ctx.fillStyle = pal.error;
      for (let i = 0; i < r.length; i += 3) {
        ctx.globalAlpha = 0.15 + 0.85 * r[i + 2];
        ctx.fillRect(r[i], y, r[i + 1] - r[i], 2);
      }
      ctx.globalAlpha = 1;
    }
    const pairs = this.waits.get(thread);
    if (!pairs) return;
    const rects = waitRects(pairs, from, to, width);
    ctx.fillStyle = pal.background;
    for (let i = 0; i < rects.length; i += 2) ctx.fillRect(rects[i], y + laneH - BAND_H, rects[i + 1] - rects[i], BAND_H);
    ctx.fillStyle = this.hatch(ctx, pal) ?? pal.foreground;
    for (let i = 0; i < rects.length; i += 2) ctx.fillRect(rects[i], y + laneH - BAND_H, rects[i + 1] - rects[i], BAND_H);
  }

  /** The wait (start, end) of `thread` covering time t ± slack, if any. */
  waitAt(thread: number, t: number, slack: number): [number, number] | undefined {
    const pairs = this.waits.get(thread);
    if (!pairs) return undefined;
    const n = pairs.length / 2;
    let lo = 0, hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (pairs[2 * mid + 1] < t - slack) lo = mid + 1; else hi = mid;
    }
    return lo < n && pairs[2 * lo] <= t + slack ? [pairs[2 * lo], pairs[2 * lo + 1]] : undefined;
  }

  /** Share of [t - half, t + half] the thread waited for a core, if known. */
  descheduledAt(thread: number, t: number): number | undefined {
    const s = this.cpu.get(thread);
    if (!s?.runnable) return undefined;
    for (let k = 0; k + 1 < s.t.length; k++) {
      if (s.t[k] <= t && t < s.t[k + 1]) return Math.min(1, (s.runnable[k + 1] - s.runnable[k]) / (s.t[k + 1] - s.t[k]));
    }
    return undefined;
  }

  private hatch(ctx: CanvasRenderingContext2D, pal: Palette): CanvasPattern | null {
    // Rebuilt when the theme changes the foreground colour.
    if (this.pattern !== undefined && this.patternColor === pal.foreground) return this.pattern;
    this.patternColor = pal.foreground;
    const tile = document.createElement('canvas');
    tile.width = tile.height = 6;
    const t = tile.getContext('2d');
    if (!t) return (this.pattern = null);
    t.strokeStyle = pal.foreground;
    t.lineWidth = 1.5;
    t.beginPath();
    t.moveTo(0, 6);
    t.lineTo(6, 0);
    t.stroke();
    return (this.pattern = ctx.createPattern(tile, 'repeat'));
  }
}
