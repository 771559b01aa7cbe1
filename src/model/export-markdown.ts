// Export of a report as Markdown for a pull request or an issue: the run, its whole-run
// metrics, a table per region and each thread's hottest functions. Pure.
import type { RunMetrics } from './analysis';
import type { Report } from './report';
import { balanceMeasured, IMPORTED_PREFIX, isImported } from './headline';
import { describeExit } from './summary';
import { formatMs, formatPercent, formatRatio, msDigits } from './units';

/** Text in a table cell or a line: no pipes, newlines or HTML that would break the Markdown. */
function cell(text: string): string {
  return text.replace(/[\\`*_[\]<>|]/g, (c) => `\\${c}`).replace(/[\r\n]+/g, ' ');
}

export function toMarkdown(report: Report, metrics: RunMetrics): string {
  const m = report.meta;
  const workers = report.threads.filter((t) => t.kind === 'worker').length;
  const out: string[] = [];
  out.push(`### Parallel Profiler: \`${m.script.replace(/`/g, "'")}\`${m.args.length ? ` ${cell(m.args.join(' '))}` : ''}`, '');
  const when = m.startedAt > 0 ? ` · ${new Date(m.startedAt).toISOString().replace(/\.\d+Z$/, 'Z')}` : '';
  // An import's file keeps no cores, Node version or exit (meta holds placeholders): it says what it is instead.
  if (isImported(report)) {
    out.push(`imported (${cell(m.recorder.slice(IMPORTED_PREFIX.length))}) · ${report.threads.length} thread${report.threads.length === 1 ? '' : 's'} · ` +
      `${formatMs(m.durationUs / 1000)} from the first recorded event to the last`, '');
  } else {
    out.push(`Node ${cell(m.nodeVersion || 'unknown')} · ${workers} worker thread${workers === 1 ? '' : 's'} on ${m.cores} core${m.cores === 1 ? '' : 's'} · ` +
      `wall ${formatMs(m.durationUs / 1000)} · ${cell(describeExit(report.exit, report.markers))}${when}`, '');
  }
  const x = metrics.extra;
  if (!balanceMeasured(metrics)) {
    // Utilization 0 % and imbalance 1.00 would be inventions: nothing measured how work was divided.
    out.push('No task spans: utilization, balance and tail need them.');
  } else {
    out.push('| metric | value |', '|---|---:|');
    out.push(`| utilization | ${formatPercent(metrics.utilization)} |`);
    out.push(`| imbalance (1.00 = perfect) | ${formatRatio(metrics.imbalance)} |`);
    out.push(`| potential gain | ${formatMs(metrics.potentialGainMs)} |`);
    out.push(`| tail | ${formatMs(metrics.tailMs)} |`);
    out.push(`| tasks | ${x.tasks} (p50 ${formatMs(x.taskMs.p50)}, p95 ${formatMs(x.taskMs.p95)}) |`);
    out.push(`| steals | ${x.steals} |`);
    out.push(`| failed tasks | ${x.failedTasks} |`);
  }
  if (metrics.regions.length) {
    out.push('', '| region | schedule | wall ms | utilization | imbalance | gain ms | tail ms | tasks | steals |', '|---|---|---:|---:|---:|---:|---:|---:|---:|');
    for (const r of metrics.regions) {
      out.push(`| ${cell(r.name)} | ${r.schedule} | ${msDigits(r.wallMs)} | ${formatPercent(r.utilization)} | ${formatRatio(r.imbalance)} | ${msDigits(r.potentialGainMs)} | ${msDigits(r.tailMs)} | ${r.tasks} | ${r.steals} |`);
    }
  }
  const hot = metrics.threads.filter((t) => t.topFunctions.length);
  if (hot.length) {
    out.push('', '| thread | function | self ms | total ms | where |', '|---|---|---:|---:|---|');
    for (const t of hot) {
      for (const f of t.topFunctions) {
        const where = f.file ? `${f.file}${f.line ? `:${f.line}` : ''}` : '';
        out.push(`| ${cell(t.name)} | ${cell(f.name)} | ${msDigits(f.selfMs)} | ${msDigits(f.totalMs)} | ${cell(where)} |`);
      }
    }
  }
  return out.join('\n') + '\n';
}
