// Export of a report as Markdown for a pull request or an issue: the run, its whole-run
// metrics, a table per region and each thread's hottest functions. Pure.
import type { RunMetrics } from './analysis';
import type { Report } from './report';
import { describeExit, formatMs } from './summary';

/** Text in a table cell or a line: no pipes, newlines or HTML that would break the Markdown. */
function cell(text: string): string {
  return text.replace(/[\\`*_[\]<>|]/g, (c) => `\\${c}`).replace(/[\r\n]+/g, ' ');
}

function percent(x: number): string {
  return `${Math.round(x * 100)} %`;
}

export function toMarkdown(report: Report, metrics: RunMetrics): string {
  const m = report.meta;
  const workers = report.threads.filter((t) => t.kind === 'worker').length;
  const out: string[] = [];
  out.push(`### Parallel Profiler: \`${m.script.replace(/`/g, "'")}\`${m.args.length ? ` ${cell(m.args.join(' '))}` : ''}`, '');
  const when = m.startedAt > 0 ? ` · ${new Date(m.startedAt).toISOString().replace(/\.\d+Z$/, 'Z')}` : '';
  out.push(`Node ${cell(m.nodeVersion || 'unknown')} · ${workers} worker thread${workers === 1 ? '' : 's'} on ${m.cores} core${m.cores === 1 ? '' : 's'} · ` +
    `wall ${formatMs(m.durationUs / 1000)} ms · ${cell(describeExit(report.exit))}${when}`, '');
  const x = metrics.extra;
  out.push('| metric | value |', '|---|---:|');
  out.push(`| utilization | ${percent(metrics.utilization)} |`);
  out.push(`| imbalance (1.00 = perfect) | ${metrics.imbalance.toFixed(2)} |`);
  out.push(`| potential gain | ${formatMs(metrics.potentialGainMs)} ms |`);
  out.push(`| tail | ${formatMs(metrics.tailMs)} ms |`);
  out.push(`| tasks | ${x.tasks} (p50 ${formatMs(x.taskMs.p50)} ms, p95 ${formatMs(x.taskMs.p95)} ms) |`);
  out.push(`| steals | ${x.steals} |`);
  out.push(`| failed tasks | ${x.failedTasks} |`);
  if (metrics.regions.length) {
    out.push('', '| region | schedule | wall ms | utilization | imbalance | gain ms | tail ms | tasks | steals |', '|---|---|---:|---:|---:|---:|---:|---:|---:|');
    for (const r of metrics.regions) {
      out.push(`| ${cell(r.name)} | ${r.schedule} | ${formatMs(r.wallMs)} | ${percent(r.utilization)} | ${r.imbalance.toFixed(2)} | ${formatMs(r.potentialGainMs)} | ${formatMs(r.tailMs)} | ${r.tasks} | ${r.steals} |`);
    }
  }
  const hot = metrics.threads.filter((t) => t.topFunctions.length);
  if (hot.length) {
    out.push('', '| thread | function | self ms | total ms | where |', '|---|---|---:|---:|---|');
    for (const t of hot) {
      for (const f of t.topFunctions) {
        const where = f.file ? `${f.file}${f.line ? `:${f.line}` : ''}` : '';
        out.push(`| ${cell(t.name)} | ${cell(f.name)} | ${formatMs(f.selfMs)} | ${formatMs(f.totalMs)} | ${cell(where)} |`);
      }
    }
  }
  return out.join('\n') + '\n';
}
