// The first screen of a large report while its detail is still on its way (VS Code: the host
// posts the reader's `preview` while the webview fetches and decodes the file): the timeline's
// lanes, named as the timeline names them, each with its task count and a strip of how busy its
// tasks kept the thread over the run, and how much of the file has arrived. Numbers drawn as
// shapes on a canvas and text set as text: nothing of the report becomes HTML. Its time axis pans
// and zooms as the timeline's does (the same keys, wheel and drag) down to the preview's bins; the
// real views replace it once the report is decoded and validated, at the window it shows then.
import type { ReportPreview } from '../src/model/report-preview';
import { formatDurationMs } from '../src/model/units';
import { el } from './dom';
import { bindTimeAxis, type TimeWindowed } from './time-axis-input';
import { clampInterval } from './store';
import { headlineList } from './explore-panel';
import { TopFunctionsTable } from './top-functions';
import type { ReportAnswers } from '../src/model/report-answers';

/** Height of a lane's strip, px (the timeline's smallest lane). */
const LANE_H = 18;
const GAP = 4;
const LABELS_W = 220;

export interface PreviewScreen {
  element: HTMLElement;
  /** Says how much of the file has arrived (`fraction` 0..1). */
  progress(fraction: number): void;
  /** Says what is being done instead (a windowed report: its reader reads it). */
  say(text: string): void;
  /** Lanes' task counts as listed, in lane order (what the `drawn` message reports). */
  laneTasks(): number[];
  /** The headline numbers shown from the header's answers, as shown; undefined without them. */
  headline(): string[] | undefined;
  /** Canvas pixels painted. */
  paintedPixels(): number;
  /** The time window shown (µs from origin) where pan or zoom left it; undefined while it is the whole run. */
  window(): { from: number; to: number } | undefined;
}

/** The preview's screen; `width`: the room it has, px. */
export function previewScreen(preview: ReportPreview, width: number): PreviewScreen {
  const { meta, lanes } = preview;
  const script = meta.script.split(/[\\/]/).pop() ?? meta.script;
  const status = el('p', { class: 'pp-status', role: 'status', id: 'preview-status' }, 'loading the detail: 0 % fetched');
  const headline = el('p', { class: 'pp-hint' },
    `${script}: ${preview.spans.toLocaleString('en-US')} tasks · ${preview.threads} · ${formatDurationMs(preview.endUs / 1000)}. ` +
    'Each strip shows how busy the thread\'s tasks kept it over the time shown; the timeline\'s detail follows.');
  const list = el('ol', { class: 'pp-lanes', 'aria-label': 'Threads', id: 'preview-lanes' });
  list.style.position = 'absolute';
  list.style.top = '0';
  list.style.width = `${LABELS_W}px`;
  list.style.margin = '0';
  lanes.forEach((lane, k) => {
    const item = el('li', { 'data-thread': lane.thread, 'data-tasks': lane.tasks, title: lane.name },
      `${lane.died ? `${lane.name} ✝` : lane.name} · ${lane.tasks.toLocaleString('en-US')} tasks`);
    item.style.position = 'absolute';
    item.style.top = `${k * (LANE_H + GAP)}px`;
    item.style.height = item.style.lineHeight = `${LANE_H}px`;
    item.style.listStyle = 'none';
    item.style.whiteSpace = 'nowrap';
    list.append(item);
  });
  const stripsW = Math.max(200, Math.floor(width - LABELS_W - 48));
  const height = Math.max(1, lanes.length * (LANE_H + GAP));
  const canvas = el('canvas', {
    'aria-label': 'How busy each thread was over the visible time: arrow keys pan, plus and minus zoom, 0 shows the whole run',
    role: 'img', tabindex: '0', id: 'preview-canvas',
  }) as HTMLCanvasElement;
  canvas.width = stripsW;
  canvas.height = height;
  canvas.style.position = 'absolute';
  // Its own size in CSS pixels too: the timeline's stylesheet stretches its canvases.
  canvas.style.width = `${stripsW}px`;
  canvas.style.height = `${height}px`;
  canvas.style.left = `${LABELS_W + 8}px`;
  canvas.style.top = '0';
  const box = el('div', { class: 'pp-timeline', id: 'preview-timeline' }, list, canvas);
  box.style.position = 'relative';
  box.style.height = `${height}px`;
  const shown = el('p', { class: 'pp-hint', id: 'preview-window' });
  const answers = preview.answers && answersShown(preview.answers);
  // The numbers above the lanes, the top functions under them: the timeline's first screen, in its order.
  const element = el('section', { 'aria-label': 'Timeline preview', id: 'panel-preview' }, headline, ...(answers?.above ?? []), status, shown, box, answers?.below);
  element.style.padding = '8px 12px';
  const color = getComputedStyle(document.body).getPropertyValue('--pp-fg').trim() || '#888';
  const bins = preview.lanes.reduce((n, l) => Math.max(n, l.busy.length), 1);
  const view: TimeWindowed & { window: { from: number; to: number } } = {
    window: { from: 0, to: preview.endUs },
    endUs: preview.endUs,
    // Clamped as the report's Store clamps its window: the timeline opens at exactly this one.
    setWindow(from, to) {
      const next = clampInterval({ from, to }, preview.endUs);
      if (!next || (next.from === this.window.from && next.to === this.window.to)) return;
      this.window = next;
      redraw();
    },
  };
  const redraw = () => {
    const { from, to } = view.window;
    draw(canvas, preview, color, from, to);
    const binUs = preview.endUs / bins;
    const perPx = (to - from) / stripsW;
    shown.textContent = `${from === 0 ? '0' : formatDurationMs(from / 1000)} to ${formatDurationMs(to / 1000)} of ${formatDurationMs(preview.endUs / 1000)}` +
      (binUs > perPx ? ` · a bin is ${formatDurationMs(binUs / 1000)}, wider than a pixel here: finer detail comes with the report` : '') +
      ' · scroll or + and − zoom, drag or ← → pan, 0 shows the whole run';
  };
  redraw();
  bindTimeAxis(canvas, view, { width: () => stripsW });
  return {
    element,
    progress: (fraction) => { status.textContent = `loading the detail: ${Math.floor(Math.min(1, Math.max(0, fraction)) * 100)} % fetched`; },
    say: (text) => { status.textContent = text; },
    laneTasks: () => [...list.querySelectorAll<HTMLElement>('li[data-tasks]')].map((li) => Number(li.dataset.tasks)),
    headline: () => (answers ? [...element.querySelectorAll('#preview-headline dd')].map((dd) => dd.textContent ?? '') : undefined),
    paintedPixels: () => {
      const pixels = canvas.getContext('2d')?.getImageData(0, 0, canvas.width, canvas.height).data;
      let n = 0;
      if (pixels) for (let k = 3; k < pixels.length; k += 4) if (pixels[k] !== 0) n++;
      return n;
    },
    window: () => (view.window.from > 0 || view.window.to < preview.endUs ? { ...view.window } : undefined),
  };
}

/**
 * The header's answers (report-answers.ts): the headline numbers and leading finding, the whole
 * run's top functions, and a line saying whose they are. The report's views compute their own.
 */
function answersShown(answers: ReportAnswers): { above: HTMLElement[]; below: HTMLElement } {
  const table = new TopFunctionsTable(() => undefined, 'preview-top-functions');
  table.title = 'Top functions of the whole run';
  table.update(answers.functions.map((f) => ({ ...f, key: `${f.name}\u0000${f.file}\u0000${f.line}`, perThread: [] })), [], answers.functionCount);
  const whose = el('p', { class: 'pp-hint', id: 'preview-answers-source' },
    `These numbers are the recording's: parprof ${answers.by} computed them from this run's spans and samples when it wrote the file. ` +
    'The report\'s own views follow with its detail; if their numbers differ from these, you are told.');
  table.element.style.marginTop = '12px';
  return { above: [headlineList(answers.headline, answers.finding, 'preview-headline'), whose], below: table.element };
}

/**
 * Each lane's strip over [from, to) µs: per pixel column, a bar as tall as the busiest share of the
 * bins the column's time touches (a bin wider than a pixel spans several columns). Linear in the
 * canvas's width and the bins in the window.
 */
/** Each lane's busy share over [from, to] as bars `laneH` px high, `gap` px apart (the preview's strips; a windowed report's overview). */
export function draw(canvas: HTMLCanvasElement, preview: ReportPreview, color: string, from: number, to: number, laneH = LANE_H, gap = GAP): void {
  const g = canvas.getContext('2d');
  if (!g) return;
  g.clearRect(0, 0, canvas.width, canvas.height);
  g.fillStyle = color;
  const w = canvas.width;
  const perPx = (to - from) / w;
  preview.lanes.forEach((lane, k) => {
    const bins = lane.busy.length;
    const binUs = preview.endUs / Math.max(1, bins);
    const top = k * (laneH + gap);
    for (let x = 0; x < w; x++) {
      const t0 = from + x * perPx;
      const b0 = Math.max(0, Math.floor(t0 / binUs)), b1 = Math.min(bins, Math.max(b0 + 1, Math.ceil((t0 + perPx) / binUs)));
      let share = 0;
      for (let b = b0; b < b1; b++) share = Math.max(share, lane.busy[b]);
      const h = Math.round((share / 255) * laneH);
      if (h > 0) g.fillRect(x, top + laneH - h, 1, h);
    }
  });
}
