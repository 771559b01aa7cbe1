// The CPU activity graph under each timeline lane: per bin, the share of the thread's samples in
// each category (your code, pool and recorder, Node internals, GC, V8), stacked; '(idle)' and no
// samples leave the band empty; a line for the on-CPU share where the report has CPU time.
import type { Report } from '../src/model/report';
import { indexProfile, type ProfileIndex } from '../src/model/profile-index';
import { ACTIVITY_CATEGORIES, CATEGORY_LABELS, activityBins, onCpuShare, type ActivityBins, type ActivityCategory } from '../src/model/activity';
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
    const entry = { key, bins: activityBins(index, from, to, n), onCpu: cpu ? onCpuShare(cpu, from, to, n) : undefined };
    this.cache.set(thread, entry);
    return entry;
  }

  draw(ctx: CanvasRenderingContext2D, pal: Palette, colors: Record<ActivityCategory, string>, thread: number, y: number, h: number, width: number, from: number, to: number): void {
    const entry = this.binsOf(thread, from, to, width);
    if (!entry) return;
    const { bins, onCpu } = entry;
    const bw = width / bins.bins;
    const order = DRAWN.map((c) => ACTIVITY_CATEGORIES.indexOf(c));
    for (let b = 0; b < bins.bins; b++) {
      let total = 0;
      for (const c of bins.counts) total += c[b];
      if (total === 0) continue;
      let base = y + h;
      for (let j = 0; j < order.length; j++) {
        const v = bins.counts[order[j]][b];
        if (v === 0) continue;
        const bh = (v / total) * h;
        ctx.fillStyle = colors[DRAWN[j]];
        ctx.fillRect(b * bw, base - bh, Math.max(1, bw), bh);
        base -= bh;
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
