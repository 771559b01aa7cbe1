// Differential flamegraph of the selection against its baseline: frames laid out by the mean of
// the two sides' shares, coloured by where they differ (self share in the selection minus in the
// baseline: the error colour where the selection spends more, the focus colour where less), and
// a table of the functions that differ most.
import type { DiffNode } from '../src/model/flame-diff';
import { diffFunctions, maxDelta } from '../src/model/flame-diff';
import { el, location, percent } from './dom';
import { fitText, frameScheduler, sizeCanvas, Tooltip } from './canvas';
import { readPalette, textOn } from './theme';
import { flameRects, type FlameRect } from './layout-flame';

const ROW_H = 16;
const MAX_ROWS = 15;
/** Share differences smaller than this (0.1 percentage point) are drawn as no change. */
const NEUTRAL_DELTA = 0.001;

function signed(x: number): string {
  return `${x > 0 ? '+' : x < 0 ? '−' : '±'}${percent(Math.abs(x))}`;
}

export class FlameDiffView {
  readonly element: HTMLElement;
  private readonly canvas: HTMLCanvasElement;
  private readonly box = el('div', { class: 'pp-canvas-box' });
  private readonly tooltip = new Tooltip(this.box);
  private readonly caption: HTMLElement;
  private readonly tableBox: HTMLElement;
  private readonly request = frameScheduler(() => this.draw());
  private root: DiffNode | undefined;
  private rects: FlameRect<DiffNode>[] = [];

  /** `sides` names the two sides in the hint: a selection against its baseline, or a new run against its base. */
  /** `idPrefix` keeps two of them on one page apart ('flame-': the Flamegraph tab's; '' the timeline's). */
  constructor(sides: { a: string; b: string } = { a: 'baseline', b: 'selection' }, idPrefix = '') {
    this.canvas = el('canvas', { id: `${idPrefix}diff-flamegraph`, tabindex: 0, role: 'img', 'aria-label': 'Differential flamegraph' });
    this.caption = el('h3', { id: `${idPrefix}diff-caption` });
    this.tableBox = el('div', { id: `${idPrefix}diff-functions` });
    this.box.append(this.canvas);
    this.element = el('section', { class: 'pp-diff', 'aria-labelledby': `${idPrefix}diff-caption`, hidden: true }, this.caption,
      el('p', { class: 'pp-hint' }, `Width: the mean of the two sides' shares. Red: a larger share of the ${sides.b}'s time than of the ${sides.a}'s; blue: a smaller one. Shares are of each side's own total, so sides of different sizes (a few slow tasks against many fast ones) compare fairly; a change under 0.1 % of the time is not coloured.`),
      this.box, this.tableBox);
    this.canvas.addEventListener('pointermove', (e) => {
      const depth = Math.floor(e.offsetY / ROW_H);
      const r = this.rects.find((q) => q.depth === depth && e.offsetX >= q.x && e.offsetX < q.x + q.width);
      if (!r) return this.tooltip.hide();
      const n = r.node;
      this.tooltip.show([n.name || '(anonymous)', `self: baseline ${percent(n.selfA)} · selection ${percent(n.selfB)} (${signed(n.delta)})`,
        `total: baseline ${percent(n.totalA)} · selection ${percent(n.totalB)}`, location(n.file, n.line)].filter(Boolean), e.offsetX, e.offsetY);
    });
    this.canvas.addEventListener('pointerleave', () => this.tooltip.hide());
    new ResizeObserver(() => this.request()).observe(this.box);
  }

  /** Shows a diff tree (undefined hides the panel). */
  show(root: DiffNode | undefined, baseline: string, selection: string): void {
    this.root = root;
    this.element.hidden = !root;
    if (!root) return;
    this.caption.textContent = `Difference: ${selection} against ${baseline}`;
    const rows = diffFunctions(root, MAX_ROWS);
    const table = el('table', { 'aria-label': 'Functions that differ most between the baseline and the selection' },
      el('caption', {}, 'Self time share: baseline → selection'),
      el('thead', {}, el('tr', {}, ...['Function', 'Baseline', 'Selection', 'Change'].map((h) => el('th', { scope: 'col' }, h)))),
      el('tbody', {}, ...rows.map((f) => el('tr', { 'data-function': f.name, 'data-delta': f.delta },
        el('td', { title: location(f.file, f.line) }, f.name || '(anonymous)'), el('td', {}, percent(f.selfA)), el('td', {}, percent(f.selfB)),
        el('td', {}, signed(f.delta))))));
    this.tableBox.replaceChildren(table);
    this.canvas.setAttribute('aria-label', `Differential flamegraph: ${selection} against ${baseline}. ` +
      (rows.length ? `Largest change: ${rows[0].name} ${signed(rows[0].delta)} of self time.` : 'No samples on either side.'));
    this.request();
  }

  draw(): void {
    const root = this.root;
    if (!root || !this.element.isConnected || this.box.clientWidth === 0) return;
    const width = this.box.clientWidth;
    this.rects = flameRects(root, [], width).filter((r) => r.depth < 24);
    const depth = this.rects.reduce((d, r) => Math.max(d, r.depth), 0) + 1;
    const height = Math.max(ROW_H * 3, depth * ROW_H);
    const ctx = sizeCanvas(this.canvas, width, height);
    const pal = readPalette(this.element);
    ctx.clearRect(0, 0, width, height);
    ctx.font = '11px sans-serif';
    ctx.textBaseline = 'middle';
    const scale = maxDelta(root) || 1;
    for (const r of this.rects) {
      const y = r.depth * ROW_H;
      // Below 0.1 percentage point a share difference is rounding and sampling noise (the root's
      // self share, two sides of one function): drawn neutral, like an unchanged frame.
      const d = Math.abs(r.node.delta) < NEUTRAL_DELTA ? 0 : r.node.delta / scale;
      ctx.fillStyle = pal.laneBackground;
      ctx.fillRect(r.x, y, Math.max(0.5, r.width - 1), ROW_H - 1);
      if (d !== 0) {
        // Opacity carries the size of the change over the theme's own error / focus colours.
        ctx.globalAlpha = 0.15 + 0.85 * Math.abs(d);
        ctx.fillStyle = d > 0 ? pal.error : pal.focus;
        ctx.fillRect(r.x, y, Math.max(0.5, r.width - 1), ROW_H - 1);
        ctx.globalAlpha = 1;
      }
      const label = fitText(ctx, r.node.name || '(anonymous)', r.width - 6);
      if (label) {
        ctx.fillStyle = Math.abs(d) > 0.5 ? textOn(d > 0 ? pal.error : pal.focus) : pal.foreground;
        ctx.fillText(label, r.x + 3, y + ROW_H / 2);
      }
    }
  }
}
