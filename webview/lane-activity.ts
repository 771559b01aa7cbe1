// The CPU activity graph under each timeline lane: per bin, the share of the thread's samples in
// each category (your code, pool and recorder, Node internals, GC, V8), stacked; '(idle)' and no
// samples leave the band empty; a line for the on-CPU share where the report has CPU time.
import type { Report } from '../src/model/report';
import { indexProfile, type ProfileIndex } from '../src/model/profile-index';
import { ACTIVITY_CATEGORIES, CATEGORY_LABELS, activityBinsOf, activityPrefix, onCpuShare, type ActivityBins, type ActivityCategory, type ActivityPrefix } from '../src/model/activity';
import type { CpuTimeSeries } from '../src/model/report';
import type { Palette } from './theme';

/** Categories drawn (bottom up); '(idle)' is the empty part of the band. */
const DRAWN: ActivityCategory[] = ['user', 'runtime', 'node', 'gc', 'program'];
const FALLBACK: Record<ActivityCategory, string> = {
  user: '#e8743b', runtime: '#5b7fa6', node: '#3aa39a', gc: '#9d6ad6', program: '#9e9e9e', idle: 'transparent',
};

/** Category colours from style.css (--pp-cat-*), so themes (high contrast included) can set them. */
export function categoryColors(element: Element): Record<ActivityCategory, string> {
  const css = getComputedStyle(element);
  const out = { ...FALLBACK };
  for (const c of ACTIVITY_CATEGORIES) out[c] = css.getPropertyValue(`--pp-cat-${c}`).trim() || FALLBACK[c];
  return out;
}

export { CATEGORY_LABELS, DRAWN as DRAWN_CATEGORIES };

export class LaneActivity {
  private readonly index = new Map<number, ProfileIndex>();
  /** Per thread, its samples counted by category (activityPrefix), made on the first draw of its graph. */
  private readonly prefix = new Map<number, ActivityPrefix>();
  private readonly cpu = new Map<number, CpuTimeSeries>();
  private readonly interval: number;
  private cache = new Map<number, { key: string; bins: ActivityBins; onCpu?: Float32Array }>();

  constructor(private readonly report: Report) {
    for (const p of report.profiles) this.index.set(p.thread, indexProfile(p.profile));
    for (const s of report.cpu ?? []) this.cpu.set(s.thread, s);
    this.interval = report.meta.sampleIntervalUs > 0 ? report.meta.sampleIntervalUs : 1000;
  }

  has(thread: number): boolean {
    return this.index.has(thread);
  }

  /** Bins of the window: one per pixel, fewer when the window holds fewer sampling intervals (no comb of empty columns). */
  private binsOf(thread: number, from: number, to: number, width: number) {
    const index = this.index.get(thread);
    if (!index) return undefined;
    const n = Math.max(1, Math.min(Math.floor(width), Math.floor((to - from) / this.interval)));
    const key = `${from}:${to}:${n}`;
    const hit = this.cache.get(thread);
    if (hit?.key === key) return hit;
    const cpu = this.cpu.get(thread);
    let prefix = this.prefix.get(thread);
    if (!prefix) this.prefix.set(thread, (prefix = activityPrefix(index)));
    const entry = { key, bins: activityBinsOf(prefix, from, to, n), onCpu: cpu ? onCpuShare(cpu, from, to, n) : undefined };
    this.cache.set(thread, entry);
    return entry;
  }

  draw(ctx: CanvasRenderingContext2D, pal: Palette, colors: Record<ActivityCategory, string>, thread: number, y: number, h: number, width: number, from: number, to: number): void {
    const entry = this.binsOf(thread, from, to, width);
    if (!entry) return;
    const { bins, onCpu } = entry;
    const bw = width / bins.bins;
    const order = DRAWN.map((c) => ACTIVITY_CATEGORIES.indexOf(c));
    // Stacked bottom up, one category at a time: each category's rectangles are one path filled
    // once, and neighbouring bins whose part of the band is the same, to the pixel, one rectangle
    // (a fill style per rectangle cost 50-80 ms a frame for 8 threads of 100k samples zoomed out).
    const total = new Float32Array(bins.bins);
    for (const c of bins.counts) for (let b = 0; b < bins.bins; b++) total[b] += c[b];
    const base = new Float32Array(bins.bins).fill(y + h);
    for (let j = 0; j < order.length; j++) {
      const counts = bins.counts[order[j]];
      ctx.fillStyle = colors[DRAWN[j]];
      let runStart = -1, runTop = 0, runBottom = 0;
      for (let b = 0; b <= bins.bins; b++) {
        let top = 0, bottom = 0;
        if (b < bins.bins) {
          const v = counts[b];
          if (v !== 0 && total[b] !== 0) {
            bottom = Math.round(base[b]);
            base[b] -= (v / total[b]) * h;
            top = Math.round(base[b]);
          }
        }
        if (runStart >= 0 && top === runTop && bottom === runBottom && top < bottom) continue;
        if (runStart >= 0) ctx.fillRect(runStart * bw, runTop, Math.max(1, (b - runStart) * bw), runBottom - runTop);
        runStart = top < bottom ? b : -1;
        runTop = top; runBottom = bottom;
      }
    }
    if (onCpu) {
      ctx.strokeStyle = pal.foreground;
      ctx.lineWidth = 1;
      ctx.beginPath();
      let open = false;
      for (let b = 0; b < onCpu.length; b++) {
        const v = onCpu[b];
        if (Number.isNaN(v)) { open = false; continue; }
        const py = y + h - v * (h - 1) - 0.5;
        if (open) ctx.lineTo(b * bw, py); else { ctx.moveTo(b * bw, py); open = true; }
        ctx.lineTo((b + 1) * bw, py);
      }
      ctx.stroke();
    }
  }

  /** Tooltip lines for the bin under x: the categories' shares of its samples, and the on-CPU share. */
  linesAt(thread: number, x: number, width: number, from: number, to: number): string[] {
    const entry = this.binsOf(thread, from, to, width);
    if (!entry) return [];
    const b = Math.max(0, Math.min(entry.bins.bins - 1, Math.floor((x / width) * entry.bins.bins)));
    let total = 0;
    for (const c of entry.bins.counts) total += c[b];
    const out: string[] = [];
    if (total === 0) out.push('CPU samples: none here');
    else {
      const parts = ACTIVITY_CATEGORIES.map((c, i) => [c, entry.bins.counts[i][b]] as const).filter(([, v]) => v > 0)
        .map(([c, v]) => `${CATEGORY_LABELS[c]} ${Math.round((v / total) * 100)} %`);
      out.push(`CPU samples (${total}): ${parts.join(', ')}`);
    }
    const on = entry.onCpu?.[b];
    if (on !== undefined && !Number.isNaN(on)) out.push(`on a CPU ${Math.round(on * 100)} % of this stretch`);
    return out;
  }
}
