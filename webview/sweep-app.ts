// The sweep page: a scaling sweep as a chart (measured speedup, ideal, Amdahl fit) and a table per
// subject (whole run, every region); an A/B report as its variants' lanes on one time axis, the
// numbers side by side and the winner with the spread of repeats; and the comparison page of two
// runs. The numbers come from src/model (sweep-analysis, sweep-tables); this file places them.
import type { CompareResult } from '../src/model/compare';
import { abRows, sweepScaling } from '../src/model/sweep-analysis';
import type { SweepPage } from '../src/model/sweep-lanes';
import { chartedScaling, DEFAULT_CHART_SIZE, sweepChartLayout } from '../src/model/sweep-layout';
import { validateSweepReport } from '../src/model/sweep-report';
import {
  AB_HEADER, COMPARE_HEADER, FUNCTION_DELTA_HEADER, SCALING_HEADER, abCells, abNotes, abVerdict, busyContext, busyMachineSentence, compareCells, compareConclusion,
  compareLegend, functionDeltaCells, functionDeltaTitle, scalingCells, scalingNotes, subjectTitle,
} from '../src/model/sweep-tables';
import { el, table } from './dom';
import { drawLanes, drawScalingChart } from './sweep-svg';
import { FlameDiffView } from './flame-diff-view';

function fileName(path: string): string {
  return path.split(/[\\/]/).pop() || path;
}

function header(title: string, onExport: (() => void) | undefined, ...lines: string[]): HTMLElement {
  const h = el('header', { class: 'pp-sweep-header' }, el('h1', {}, title), ...lines.map((l) => el('p', { class: 'pp-muted' }, l)));
  if (onExport) {
    const button = el('button', { type: 'button', class: 'pp-button pp-sweep-export' }, 'Export…');
    button.addEventListener('click', onExport);
    h.append(button);
  }
  return h;
}

/**
 * Tables one under another with the same columns (a sweep's subjects, an A/B's rows, a comparison's
 * pairs) get the same column widths, so that their columns line up: each column as wide as its
 * widest cell in any of them. Measured once they are in the page (a hidden page measures 0: left as is).
 */
function alignColumns(root: HTMLElement): void {
  const groups = new Map<string, HTMLTableElement[]>();
  for (const t of root.querySelectorAll<HTMLTableElement>('table.pp-sweep-table')) {
    const key = [...t.querySelectorAll('thead th')].map((th) => th.textContent).join('\t');
    groups.set(key, [...(groups.get(key) ?? []), t]);
  }
  for (const tables of groups.values()) {
    if (tables.length < 2) continue;
    const widths: number[] = [];
    for (const t of tables) {
      for (const row of t.rows) [...row.cells].forEach((cell, c) => { widths[c] = Math.max(widths[c] ?? 0, cell.getBoundingClientRect().width); });
    }
    if (widths.every((w) => w === 0)) continue;
    for (const t of tables) {
      t.querySelectorAll<HTMLTableCellElement>('thead th').forEach((th, c) => {
        th.style.boxSizing = 'border-box';
        th.style.minWidth = `${Math.ceil(widths[c])}px`;
      });
    }
  }
}

/** Renders the sweep or A/B report of `page` into `root`; the report is validated first (it came from a file). */
export function renderSweepPage(root: HTMLElement, page: SweepPage, onExport?: () => void): void {
  const report = validateSweepReport(page.sweep);
  const command = `${fileName(report.script)}${report.args.length ? ` ${report.args.join(' ')}` : ''}`;
  const per = report.kind === 'sweep' ? 'thread count' : 'variant';
  const body = el('div', { class: 'pp-sweep', 'data-kind': report.kind });
  const threads = report.variants[0]?.threads;
  body.append(header(report.kind === 'sweep' ? `Sweep of ${command}` : `A/B of ${command}`, onExport,
    `${report.kind === 'ab' ? `${threads === 0 ? 'sequential' : `${threads} threads`} · ` : ''}${report.cores} cores · ${report.repeat} run${report.repeat === 1 ? '' : 's'} per ${per} · ${new Date(report.createdAt).toLocaleString()}`,
    'Whole run: from the script\'s first line to the end of its last pool operation, less the wait for pool start-up.'));
  if (report.kind === 'sweep') {
    for (const s of sweepScaling(report)) {
      const section = el('section', { class: 'pp-sweep-subject', 'data-key': s.key }, el('h2', {}, subjectTitle(s)));
      if (!s.scaling) {
        section.append(el('p', { class: 'pp-muted' }, 'no run recorded it'));
      } else {
        // The chart plots what the notes judge: on a busy machine the critical path in work (chartedScaling).
        const charted = chartedScaling(report, s)!;
        const chart = sweepChartLayout(charted.scaling, report.cores, DEFAULT_CHART_SIZE, charted.fit);
        const measured = charted.basis === 'critical path' ? 'speedup of the critical path in work, as the notes judge it (bar: spread of repeats)'
          : charted.fit ? 'measured speedup (bar: spread of repeats)' : 'measured speedup in wall time, not judged: the machine was busy (bar: spread of repeats)';
        section.append(
          el('div', { class: 'pp-sweep-figure', 'data-basis': charted.basis }, drawScalingChart(chart, `speedup of ${subjectTitle(s)} against threads${charted.basis === 'critical path' ? ' (critical path in work)' : ''}`),
            el('ul', { class: 'pp-sweep-legend' },
              el('li', { class: 'pp-legend-measured' }, measured),
              el('li', { class: 'pp-legend-ideal' }, 'ideal'),
              ...(chart.amdahl ? [el('li', { class: 'pp-legend-amdahl' }, 'Amdahl fit')] : []))),
          table(`${subjectTitle(s)}: wall time, speedup, efficiency`, SCALING_HEADER, scalingCells(s.scaling, report.cores, busyContext(report, s)), { class: 'pp-sweep-table' }),
          el('ul', { class: 'pp-sweep-notes' }, ...scalingNotes(s.scaling, report.cores, busyContext(report, s)).map((n) => el('li', {}, n))));
      }
      body.append(section);
    }
  } else {
    const lanes = el('section', { class: 'pp-ab-timelines' }, el('h2', {}, 'Runs on one time axis'),
      el('p', { class: 'pp-muted' }, 'Each variant\'s median run, its threads\' tasks from the script\'s first line; the line marks the end of its last pool operation.'));
    if (page.lanes.length) {
      // Drawn at the section's width (text stays 11 px; below MIN_LANES_WIDTH it scrolls sideways), again when it resizes.
      let drawn: SVGSVGElement | undefined;
      const draw = (width: number) => {
        const next = drawLanes(page.lanes, width);
        if (drawn) drawn.replaceWith(next); else lanes.append(next);
        drawn = next;
      };
      draw(900);
      let lastWidth = 0;
      new ResizeObserver(() => {
        const width = lanes.clientWidth;
        if (width > 0 && Math.abs(width - lastWidth) >= 8) { lastWidth = width; draw(width); }
      }).observe(lanes);
    }
    if (page.lanes.length) lanes.append(el('p', { class: 'pp-muted pp-ab-files' }, `runs drawn: ${page.lanes.map((v) => `${v.label}: ${v.file}`).join(' · ')}`));
    if (page.lanesNote) lanes.append(el('p', { class: 'pp-muted' }, page.lanesNote));
    body.append(lanes);
    for (const row of abRows(report)) {
      body.append(el('section', { class: 'pp-sweep-subject', 'data-key': row.key }, el('h2', {}, subjectTitle(row)),
        table(`${subjectTitle(row)}: the variants side by side`, AB_HEADER, abCells(row), { class: 'pp-sweep-table' }),
        el('p', { class: `pp-ab-verdict${row.winner ? ' pp-ab-winner' : ''}` }, abVerdict(row)),
        ...abNotes(row, report).map((n) => el('p', { class: 'pp-muted pp-ab-note' }, n))));
    }
  }
  // The CLI's busy-machine note, in its words (sweep-tables.ts).
  const busy = busyMachineSentence(report.variants.flatMap((v) => v.runs));
  if (busy) body.append(el('p', { class: 'pp-busy-note' }, busy));
  root.replaceChildren(body);
  alignColumns(body);
}

/** Renders a comparison of two runs (src/model/compare.ts) into `root`. */
export function renderComparePage(root: HTMLElement, compare: CompareResult, base: string, next: string, onExport?: () => void): void {
  const body = el('div', { class: 'pp-sweep pp-compare' });
  body.append(header(`Compare ${fileName(base)} → ${fileName(next)}`, onExport, `base ${base}`, `new ${next}`));
  for (const p of compare.pairs) {
    const section = el('section', { class: 'pp-compare-pair' }, el('h2', {}, `${p.base} against ${p.next}`));
    if (p.mismatch) section.append(el('p', { class: 'pp-muted' }, `note: ${p.mismatch}`));
    section.append(table('Wall time and its change per region', COMPARE_HEADER, compareCells(p.subjects), { class: 'pp-sweep-table pp-compare-subjects' }));
    if (p.functions.length) {
      section.append(table(functionDeltaTitle(p), FUNCTION_DELTA_HEADER, functionDeltaCells(p.functions),
        { class: 'pp-sweep-table pp-compare-functions' }));
    }
    body.append(section);
  }
  for (const l of compareLegend(compare)) body.append(el('p', { class: 'pp-muted pp-compare-legend' }, l));
  body.append(el('p', { class: `pp-compare-conclusion${compare.regressed ? ' pp-regressed' : ''}` }, compareConclusion(compare)));
  root.replaceChildren(body);
  alignColumns(body);
  if (compare.flameDiff) {
    // The differential flamegraph of the two runs' samples (all threads), drawn once it is in the page.
    const diff = new FlameDiffView({ a: 'base run', b: 'new run' });
    body.append(el('h2', {}, 'Where the CPU samples moved'), diff.element);
    diff.show(compare.flameDiff, `base ${fileName(base)}`, `new ${fileName(next)}`);
  }
}

