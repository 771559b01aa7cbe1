// Summary: the run's metrics, plain-language findings, per-thread and per-region tables.
import { advise } from '../src/model/advice';
import { poolsRan, verdicts } from '../src/model/summary';
import { lostInWords } from '../src/model/sample-gaps';
import { NOT_SAMPLED } from '../src/model/unsampled';
import type { Store } from './store';
import { format2Sections } from './summary-cpu';
import { el, msValue, percent, ratio, table } from './dom';
import { moreColumnsCue } from './more-columns';
import { alignTextColumns } from './table-align';
import { balanceMeasured, NO_SPANS, threadsWithTasksLabel, threadsWithTasksText } from '../src/model/headline';
import { regionLabel } from '../src/model/region-labels';
import { BUSY_NOT_TASKS, busyNotTasks } from '../src/model/summary-v2';
import { formatCount } from '../src/model/units';

/** Where the threads' time went outside task code, as "a / b / c" with the formatter given. */
function threadTimeText(t: { startDelayMs: number; gapMs: number; tailIdleMs: number }, ms: (x: number) => string): string {
  return `${ms(t.startDelayMs)} / ${ms(t.gapMs)} / ${ms(t.tailIdleMs)}`;
}

export function summaryView(store: Store): HTMLElement {
  const { report, metrics: m } = store;
  const measured = balanceMeasured(m);
  const metric = (label: string, value: string, id: string) =>
    el('div', { 'data-metric': id }, el('dt', {}, label), el('dd', {}, value));
  const metrics = el('dl', { class: 'pp-metrics', id: 'summary-metrics', 'aria-label': 'Run metrics' },
    metric('Wall time, first operation to last', measured ? msValue(m.wallMs) : NO_SPANS, 'wall'),
    metric('Utilization', measured ? percent(m.utilization) : NO_SPANS, 'utilization'),
    metric('Imbalance (max / mean busy, wall time)', measured ? ratio(m.imbalance) : NO_SPANS, 'imbalance'),
    ...(measured && m.extra.cpuImbalance !== undefined ? [metric('Imbalance on CPU (time waiting for a core left out)', ratio(m.extra.cpuImbalance), 'cpuImbalance')] : []),
    metric('Potential gain (idle per thread: wall − mean busy)', measured ? msValue(m.potentialGainMs) : NO_SPANS, 'potentialGain'),
    metric('Tail', measured ? msValue(m.tailMs) : NO_SPANS, 'tail'),
    // Chunks of map/forEach/reduce are pulled by the threads, not queued: only queued tasks wait in a queue.
    m.extra.queuedTasks > 0
      ? metric(`Queue wait p50 / p95 / max (${formatCount(m.extra.queuedTasks)} queued tasks)`, `${msValue(m.queueWaitMs.p50)} / ${msValue(m.queueWaitMs.p95)} / ${msValue(m.queueWaitMs.max)}`, 'queueWait')
      : metric('Queue wait', m.extra.tasks > 0 ? 'none: chunks are pulled, not queued' : NO_SPANS, 'queueWait'),
    metric('Thread time: start delay / between tasks / after last task', threadTimeText(m.extra.threadTime, msValue), 'threadTime'),
    metric('Tasks', formatCount(m.extra.tasks), 'tasks'),
    metric('Steals', formatCount(m.extra.steals), 'steals'),
    metric(threadsWithTasksLabel(m), threadsWithTasksText(report, m), 'threads'));

  let found: string[] = [];
  try {
    // A window's report is not the run's: the findings are the reader's, of the whole run.
    found = store.slice ? store.givenFindings ?? ['(the whole run\'s findings could not be computed by the report reader)'] : verdicts(m, report);
  } catch (e) {
    found = [`(findings could not be computed: ${(e as Error).message})`];
  }
  // An advice item (src/model/advice.ts) is a button that zooms the timeline to its range; its
  // text stays the item's whole text, the same line `parprof report` prints.
  let ranges = new Map<string, { from: number; to: number }>();
  try {
    // (A window's are not: an advice's range may lie in another window.)
    if (!store.slice) ranges = new Map(advise(report, m).filter((a) => a.range).map((a) => [a.text, a.range!]));
  } catch {
    // The findings above already say that they could not be computed.
  }
  const item = (v: string) => {
    const range = ranges.get(v);
    if (!range) return el('li', {}, v);
    const button = el('button', { type: 'button', class: 'pp-advice', title: 'Show this range on the timeline' }, v);
    button.addEventListener('click', () => {
      store.setView('timeline');
      store.setWindow(range.from, range.to);
    });
    return el('li', {}, button);
  };
  const findings = el('ul', { class: 'pp-verdicts', id: 'summary-verdicts', 'aria-label': 'Findings' }, ...found.map(item));

  // Idle as `parprof report` prints it: a worker's life (start to end) outside its tasks. The main
  // thread runs the script between operations, so its time outside tasks is no idleness.
  const threadInfo = new Map(report.threads.map((t) => [t.id, t]));
  const lifeMs = (id: number) => {
    const info = threadInfo.get(id);
    return info ? ((info.end ?? report.meta.durationUs) - info.start) / 1000 : 0;
  };
  const imported = report.meta.recorder.startsWith('import:');
  const threads = table('Threads', ['Thread', 'Kind', 'Busy', 'Idle (alive, outside tasks)', 'Busy share of its life', 'Tasks', 'Samples busy / idle', 'Hottest function'],
    m.threads.map((t) => {
      const worker = t.kind === 'worker' && (!imported || t.tasks > 0);
      const life = lifeMs(t.id);
      return [t.name, t.kind, busyNotTasks(t) ? '-' : msValue(t.busyMs), worker ? msValue(Math.max(0, life - t.busyMs)) : '–', worker ? percent(life > 0 ? Math.min(1, t.busyMs / life) : 0) : '–',
        String(t.tasks), t.busySamples !== undefined ? `${t.busySamples} / ${t.idleSamples}` : String(t.samples), t.topFunctions.find((f) => f.name !== NOT_SAMPLED || f.file !== '')?.name ?? '–'];
    }), { id: 'summary-threads' });

  // A main thread that ran no tasks was not idle: '-', as `parprof report` prints, with its legend.
  const busyLegend = m.threads.some(busyNotTasks) ? [el('p', { class: 'pp-hint', id: 'summary-threads-legend' }, `(${BUSY_NOT_TASKS})`)] : [];

  const regions = table('Regions (pool operations)', ['Region', 'Kind', 'Schedule', 'Wall', 'Utilization', 'Imbalance', 'Potential gain', 'Tail', 'Tasks', 'Task p50 / p95', 'Steals'],
    m.regions.map((r) => {
      const name = regionLabel(report.regions, r.id);
      const link = el('button', { type: 'button', 'aria-label': `Show task durations of ${name}` }, name);
      link.addEventListener('click', () => store.showRegion(r.id));
      return [link, r.kind, r.schedule, msValue(r.wallMs), percent(r.utilization), ratio(r.imbalance), msValue(r.potentialGainMs),
        msValue(r.tailMs), String(r.tasks), r.tasks > 0 ? `${msValue(r.taskMs.p50)} / ${msValue(r.taskMs.p95)}` : '–', String(r.steals)];
    }), { id: 'summary-regions' });

  const meta = report.meta;
  // An import (a Chrome trace, a .cpuprofile, ...) records no Node version, cores, pools or date: say what it is instead.
  // The pools as they ran, not meta.pool: those defaults do not apply to a pool given its own threads or schedule.
  const about = el('p', { class: 'pp-hint' }, meta.recorder.startsWith('import:')
    ? `${meta.script} · imported (${meta.recorder.slice('import:'.length)}) · sampling ${meta.sampleIntervalUs ? `about every ${meta.sampleIntervalUs} µs` : 'none'}`
    : `${meta.script} ${meta.args.join(' ')} · Node ${meta.nodeVersion} · ${meta.cores} cores${report.regions.some((r) => r.kind !== 'external') ? ` · pool ${poolsRan(report)}` : ''} · ` +
      `recorded ${new Date(meta.startedAt).toISOString()} · sampling ${meta.sampleIntervalUs ? `${meta.sampleIntervalUs} µs` : 'off'}`);
  const lost = lostInWords(report);
  const lostNote = lost ? [el('p', { class: 'pp-lost', id: 'summary-lost', role: 'note' }, lost)] : [];
  const section = el('section', { 'aria-label': 'Summary' }, about, ...lostNote, metrics, el('h2', { class: 'pp-sr-only' }, 'Findings'), findings, threads, ...busyLegend, regions, ...format2Sections(store));
  alignTextColumns(section.querySelectorAll('table'));
  // Under each table (they are short): 'n more columns →' when the panel is narrower than the table.
  for (const t of section.querySelectorAll('table')) t.after(moreColumnsCue(t).cue);
  return section;
}
