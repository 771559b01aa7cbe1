// The summary's sections for report format 2: the run's phases (what the user paid for, spawn
// to exit), each thread's on-CPU against off-CPU time and blocking waits, and each operation's
// call time. Nothing is shown for a version-1 report (it has none of these numbers).
import { busyNotTasks, descheduledShare, busyOnCpuShare, DESCHEDULED_SHARE, phaseRows, startupSplit } from '../src/model/summary-v2';
import type { Store } from './store';
import { el, msValue, percent, table } from './dom';
import { regionLabel } from '../src/model/region-labels';

export function format2Sections(store: Store): HTMLElement[] {
  const m = store.metrics;
  const out: HTMLElement[] = [];
  const p = m.extra.phases;
  if (p) {
    out.push(table(`Phases (${msValue(p.totalMs)} from spawn to exit; they add up to it)`, ['Phase', 'Time', 'Share', 'What it covers'],
      phaseRows(p).map((r) => [r.label, msValue(r.ms), percent(r.share), r.note]), { id: 'summary-phases', class: 'pp-prose-last' }));
  }
  const cpuKnown = m.threads.some((t) => t.onCpuMs !== undefined);
  if (cpuKnown || m.extra.waitMs !== undefined) {
    out.push(table('CPU time (busy on a core: the part of busy time the thread was running; descheduled: runnable but waiting for a core)',
      ['Thread', 'On CPU', 'Waiting for a core', 'Busy', 'Busy on a core', 'Busy descheduled', 'Blocked in Atomics.wait'],
      m.threads.map((t) => {
        const on = busyOnCpuShare(t);
        const off = descheduledShare(t);
        return [t.name, t.onCpuMs !== undefined ? msValue(t.onCpuMs) : '–', t.runnableMs !== undefined ? msValue(t.runnableMs) : '–', busyNotTasks(t) ? '-' : msValue(t.busyMs),
          on !== undefined ? percent(on) : '–', off !== undefined ? `${percent(off)}${off >= DESCHEDULED_SHARE ? ' — descheduled' : ''}` : '–',
          t.waitMs !== undefined ? msValue(t.waitMs) : '–'];
      }), { id: 'summary-cpu' }));
  }
  const calls = m.regions.filter((r) => r.callMs !== undefined || (r.startupMs ?? 0) > 0 || (r.waitMs ?? 0) > 0);
  if (calls.length) {
    out.push(table('Operation calls (wall: tasks available → last result; call: the user\'s call → last result, waiting included; a library\'s pool: from its first worker\'s creation)',
      ['Region', 'Wall', 'Call', 'Waiting for pool start-up', 'Workers starting inside the wall', 'Utilization after start-up', 'Blocked in Atomics.wait'],
      calls.slice(0, 200).map((r) => [regionLabel(store.report.regions, r.id), msValue(r.wallMs), r.callMs !== undefined ? msValue(r.callMs) : '–', msValue(startupSplit(r).before), msValue(startupSplit(r).inWall),
        r.utilizationAfterStartup !== undefined ? percent(r.utilizationAfterStartup) : '–', r.waitMs !== undefined ? msValue(r.waitMs) : '–']),
      { id: 'summary-calls' }));
  }
  return out.length ? [el('div', { class: 'pp-format2' }, ...out)] : [];
}
