// SVG drawing of the sweep page: the scaling chart (from src/model/sweep-layout.ts) and the A/B
// lanes on one time axis. Draws what the layouts computed; computes no numbers of its own.
import { tickStep, type SweepChart, type ChartXY } from '../src/model/sweep-layout';
import type { VariantLanes } from '../src/model/sweep-lanes';
import { formatMs, formatMsFromUsAtStep, formatSpeedup } from '../src/model/units';

const SVG = 'http://www.w3.org/2000/svg';

export function svg<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number> = {}, text?: string): SVGElementTagNameMap[K] {
  const node = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  if (text !== undefined) node.textContent = text;
  return node;
}

function path(points: ChartXY[]): string {
  return points.map((q, i) => `${i ? 'L' : 'M'}${q.x.toFixed(2)},${q.y.toFixed(2)}`).join('');
}

/** The speedup chart: axes, ideal line, Amdahl curve, points with their spread, the cores mark. */
export function drawScalingChart(chart: SweepChart, title: string): SVGSVGElement {
  const { plot, size } = chart;
  const root = svg('svg', { class: 'pp-sweep-chart', width: size.width, height: size.height, viewBox: `0 0 ${size.width} ${size.height}`, role: 'img', 'aria-label': title });
  if (chart.coresX !== null) {
    root.append(svg('rect', { class: 'pp-sweep-over-cores', x: chart.coresX, y: plot.y0, width: plot.x1 - chart.coresX, height: plot.y1 - plot.y0 }));
    root.append(svg('text', { class: 'pp-sweep-note', x: chart.coresX + 4, y: plot.y0 + 12 }, '> cores'));
  }
  for (const t of chart.yTicks) {
    root.append(svg('line', { class: 'pp-sweep-grid', x1: plot.x0, x2: plot.x1, y1: t.y, y2: t.y }));
    root.append(svg('text', { class: 'pp-sweep-tick', x: plot.x0 - 6, y: t.y + 4, 'text-anchor': 'end' }, `${+t.speedup.toFixed(2)}×`));
  }
  for (const t of chart.xTicks) root.append(svg('text', { class: 'pp-sweep-tick', x: t.x, y: plot.y1 + 16, 'text-anchor': 'middle' }, String(t.p)));
  root.append(svg('text', { class: 'pp-sweep-tick', x: (plot.x0 + plot.x1) / 2, y: size.height - 4, 'text-anchor': 'middle' }, 'threads (sequential counts as 1)'));
  root.append(svg('line', { class: 'pp-sweep-axis', x1: plot.x0, x2: plot.x1, y1: plot.y1, y2: plot.y1 }));
  root.append(svg('line', { class: 'pp-sweep-axis', x1: plot.x0, x2: plot.x0, y1: plot.y0, y2: plot.y1 }));
  root.append(svg('path', { class: 'pp-sweep-ideal', d: path(chart.ideal) }));
  if (chart.amdahl) root.append(svg('path', { class: 'pp-sweep-amdahl', d: path(chart.amdahl) }));
  for (const q of chart.points) {
    root.append(svg('line', { class: 'pp-sweep-spread', x1: q.x, x2: q.x, y1: q.yLow, y2: q.yHigh }));
    const dot = svg('circle', { class: `pp-sweep-point${q.overCores ? ' pp-over-cores' : ''}`, cx: q.x, cy: q.y, r: 4,
      'data-threads': q.threads, 'data-speedup': q.speedup });
    dot.append(svg('title', {}, `${q.threads === 0 ? 'sequential' : `${q.threads} threads`}: speedup ${formatSpeedup(q.speedup)} (repeats ${formatSpeedup(q.low)}–${formatSpeedup(q.high)})${q.overCores ? ', more threads than cores' : ''}`));
    root.append(dot);
  }
  return root;
}

const LANE_H = 10, LANE_GAP = 2, LABEL_W = 150, HEAD_H = 18, AXIS_H = 22;
/** Narrowest the lanes are drawn: below it the section scrolls sideways instead of shrinking the text. */
export const MIN_LANES_WIDTH = 400;
/** Half the widest tick label ('20000 ms' at 11 px), px. */
const TICK_HALF_W = 28;

/** Every variant's run as lanes, one above the other, on one time axis (0 = the script's first line). */
export function drawLanes(lanes: VariantLanes[], width: number): SVGSVGElement {
  const WIDTH = Math.max(MIN_LANES_WIDTH, Math.round(width));
  const spanUs = Math.max(1, ...lanes.map((l) => l.windowUs));
  const x = (us: number): number => LABEL_W + (us / spanUs) * (WIDTH - LABEL_W - 8);
  let y = 0;
  const groups: SVGGElement[] = [];
  for (const v of lanes) {
    const g = svg('g', { class: 'pp-ab-variant', 'data-label': v.label, 'data-window-us': v.windowUs });
    // The run's file is in the tooltip and in the paragraph under the lanes (HTML, which wraps): a
    // default name (<script>-ab-<date>-<variant>-r1.parprof) ran past the right edge of a narrow page.
    const label = svg('text', { class: 'pp-ab-variant-label', x: 0, y: y + 13, 'data-file': v.file }, `${v.label}: ends at ${formatMs(v.windowUs / 1000)} · ${formatMs(v.wholeMs)} without pool start-up`);
    label.append(svg('title', {}, v.file));
    g.append(label);
    y += HEAD_H;
    for (const t of v.threads) {
      g.append(svg('text', { class: 'pp-sweep-tick', x: LABEL_W - 6, y: y + LANE_H - 1, 'text-anchor': 'end' }, t.name));
      g.append(svg('rect', { class: 'pp-ab-lane', x: LABEL_W, y, width: WIDTH - LABEL_W - 8, height: LANE_H }));
      for (let i = 0; i + 1 < t.busy.length; i += 2) {
        g.append(svg('rect', { class: 'pp-ab-busy', x: x(t.busy[i]), y, width: Math.max(0.5, x(t.busy[i + 1]) - x(t.busy[i])), height: LANE_H }));
      }
      y += LANE_H + LANE_GAP;
    }
    g.append(svg('line', { class: 'pp-ab-end', x1: x(v.windowUs), x2: x(v.windowUs), y1: y - (LANE_H + LANE_GAP) * v.threads.length - 2, y2: y }));
    y += 6;
    groups.push(g);
  }
  const root = svg('svg', { class: 'pp-ab-lanes', width: WIDTH, height: y + AXIS_H, viewBox: `0 0 ${WIDTH} ${y + AXIS_H}`, role: 'img',
    'aria-label': 'the runs of every variant on one time axis', 'data-axis-us': spanUs });
  root.append(...groups);
  root.append(svg('line', { class: 'pp-sweep-axis', x1: LABEL_W, x2: WIDTH - 8, y1: y, y2: y }));
  // Round ticks (1, 2, 5 × 10^k ms), about one per 120 px.
  const step = tickStep(spanUs, Math.max(2, Math.min(8, Math.floor((WIDTH - LABEL_W) / 120))));
  for (let us = 0; us <= spanUs + step * 1e-9; us += step) {
    root.append(svg('line', { class: 'pp-sweep-axis', x1: x(us), x2: x(us), y1: y, y2: y + 4 }));
    // The first label starts at its tick, one near the right edge ends at it: centred, it would pass the edge.
    const anchor = us === 0 ? 'start' : x(us) > WIDTH - 8 - TICK_HALF_W ? 'end' : 'middle';
    root.append(svg('text', { class: 'pp-sweep-tick', 'data-us': us, x: x(us), y: y + 15, 'text-anchor': anchor }, formatMsFromUsAtStep(us, step)));
  }
  return root;
}
