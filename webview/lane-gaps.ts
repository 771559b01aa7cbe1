// Lost CPU samples on the timeline (report `dropped.sampleGaps`): over each stretch of a lane whose
// samples were lost, a greyed, cross-hatched band the lane's full height (task bars and the CPU
// activity graph under them), so an empty activity graph there does not read as "idle". The
// layout and the words are src/model/sample-gaps.ts; this file only paints.
import type { Report, SampleGap } from '../src/model/report';
import { gapAt, gapBands, gapText, gapsByThread } from '../src/model/sample-gaps';
import type { Palette } from './theme';

export class LaneGaps {
  private readonly gaps: Map<number, SampleGap[]>;
  private pattern: CanvasPattern | null | undefined;
  private patternColor = '';

  constructor(private readonly report: Report) {
    this.gaps = gapsByThread(report);
  }

  get any(): boolean {
    return this.gaps.size > 0;
  }

  /** One sentence per gap of the thread (those overlapping [from, to] when given), for screen readers. */
  describe(thread: number, from = -Infinity, to = Infinity): string[] {
    return (this.gaps.get(thread) ?? []).filter((g) => g.to > from && g.from < to).map((g) => gapText(this.report, g));
  }

  draw(ctx: CanvasRenderingContext2D, pal: Palette, thread: number, y: number, h: number, width: number, from: number, to: number): void {
    const gaps = this.gaps.get(thread);
    if (!gaps) return;
    const bands = gapBands(gaps, from, to, width);
    if (bands.length === 0) return;
    ctx.globalAlpha = 0.55;
    ctx.fillStyle = pal.background;
    for (const b of bands) ctx.fillRect(b.x0, y, b.x1 - b.x0, h);
    ctx.globalAlpha = 1;
    ctx.fillStyle = this.hatch(ctx, pal) ?? pal.muted;
    for (const b of bands) ctx.fillRect(b.x0, y, b.x1 - b.x0, h);
    ctx.fillStyle = pal.muted;
    for (const b of bands) { ctx.fillRect(b.x0, y, 1, h); ctx.fillRect(b.x1 - 1, y, 1, h); }
  }

  /** The tooltip line for the gap under time t (± slack µs) on the thread's lane, if any. */
  lineAt(thread: number, t: number, slackUs: number): string | undefined {
    const gaps = this.gaps.get(thread);
    const g = gaps && gapAt(gaps, t, slackUs);
    return g ? gapText(this.report, g) : undefined;
  }

  /** Cross-hatch in the muted colour: unlike the single-direction hatch of a blocking wait. */
  private hatch(ctx: CanvasRenderingContext2D, pal: Palette): CanvasPattern | null {
    if (this.pattern !== undefined && this.patternColor === pal.muted) return this.pattern;
    this.patternColor = pal.muted;
    const tile = document.createElement('canvas');
    tile.width = tile.height = 8;
    const t = tile.getContext('2d');
    if (!t) return (this.pattern = null);
    t.strokeStyle = pal.muted;
    t.lineWidth = 1;
    t.beginPath();
    t.moveTo(0, 8);
    t.lineTo(8, 0);
    t.moveTo(0, 0);
    t.lineTo(8, 8);
    t.stroke();
    return (this.pattern = ctx.createPattern(tile, 'repeat'));
  }
}
