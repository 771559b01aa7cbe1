// Export of a report as Markdown for a pull request or an issue: the run, a note when the machine
// was busy, its whole-run metrics, a table per region, each thread's hottest functions (wall and
// on-CPU self time) and the findings, as `parprof report` prints them. Pure.
import type { RunMetrics } from './analysis';
import type { Report } from './report';
import { balanceMeasured, IMPORTED_PREFIX, isImported } from './headline';
import { describeExit, verdicts } from './summary';
import { worstCoreWait } from './summary-v2';
import { BUSY_MACHINE_SHARE } from './sweep-report';
import { NOT_SAMPLED, NOT_SAMPLED_MEANING } from './unsampled';
import { formatMs, formatPercent, formatRatio, msDigits } from './units';
import { safeMarkdown } from './terminal-text';

/** The largest share of the time it had code to run a thread waited for a core (worstCoreWait); 0 when unknown. */
function worstWaitForCore(metrics: RunMetrics): number {
  return worstCoreWait(metrics) ?? 0;
}

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
  // The same note as compare --markdown's: a reviewer reading wall times must know they carry the load.
  const waited = worstWaitForCore(metrics);
  if (waited >= BUSY_MACHINE_SHARE) {
    out.push(`> **Note:** the machine was busy — a thread waited for a core up to ${formatPercent(waited)} of the time it had code to run; ` +
      'wall times (utilization, imbalance, gain, self times) include that wait, so they tell of the machine\'s load as well as of the program.', '');
  }
  if (!balanceMeasured(metrics)) {
    // Utilization 0 % and imbalance 1.00 would be inventions: nothing measured how work was divided.
    out.push('No task spans: utilization, balance and tail need them.');
  } else {
    out.push('| metric | value |', '|---|---:|');
    out.push(`| utilization | ${formatPercent(metrics.utilization)} |`);
    out.push(`| imbalance (1.00 = perfect) | ${formatRatio(metrics.imbalance)} |`);
    if (x.cpuImbalance !== undefined) out.push(`| imbalance with time waiting for a core left out | ${formatRatio(x.cpuImbalance)} |`);
    out.push(`| potential gain | ${formatMs(metrics.potentialGainMs)} |`);
    out.push(`| tail | ${formatMs(metrics.tailMs)} |`);
    out.push(`| tasks | ${x.tasks} (p50 ${formatMs(x.taskMs.p50)}, p95 ${formatMs(x.taskMs.p95)}) |`);
    out.push(`| steals | ${x.steals} |`);
    out.push(`| failed tasks | ${x.failedTasks} |`);
  }
  if (metrics.regions.length) {
    const onCpu = metrics.regions.some((r) => r.cpuImbalance !== undefined);
    out.push('', `| region | schedule | wall ms | utilization | imbalance |${onCpu ? ' imbalance on CPU |' : ''} gain ms | tail ms | tasks | steals |`,
      `|---|---|---:|---:|---:|${onCpu ? '---:|' : ''}---:|---:|---:|---:|`);
    for (const r of metrics.regions) {
      const cpuCell = onCpu ? ` ${r.cpuImbalance !== undefined ? formatRatio(r.cpuImbalance) : '-'} |` : '';
      out.push(`| ${cell(r.name)} | ${r.schedule} | ${msDigits(r.wallMs)} | ${formatPercent(r.utilization)} | ${formatRatio(r.imbalance)} |${cpuCell} ${msDigits(r.potentialGainMs)} | ${msDigits(r.tailMs)} | ${r.tasks} | ${r.steals} |`);
    }
    if (onCpu) out.push('', 'imbalance: max / mean busy time in wall time; on CPU: the same with each thread\'s time waiting for a core left out.');
  }
  const hot = metrics.threads.filter((t) => t.topFunctions.length);
  if (hot.length) {
    // On-CPU self time beside the wall's: a descheduled thread's wall self time is not its work.
    const cpu = hot.some((t) => t.topFunctions.some((f) => f.selfCpuMs !== undefined));
    out.push('', `| thread | function | self ms |${cpu ? ' self on CPU ms |' : ''} total ms | where |`, `|---|---|---:|${cpu ? '---:|' : ''}---:|---|`);
    for (const t of hot) {
      for (const f of t.topFunctions) {
        const where = f.file ? `${f.file}${f.line ? `:${f.line}` : ''}` : '';
        const cpuCell = cpu ? ` ${f.selfCpuMs !== undefined ? msDigits(f.selfCpuMs) : '-'} |` : '';
        out.push(`| ${cell(t.name)} | ${cell(f.name)} | ${msDigits(f.selfMs)} |${cpuCell} ${msDigits(f.totalMs)} | ${cell(where)} |`);
      }
    }
    if (hot.some((t) => t.topFunctions.some((f) => f.name === NOT_SAMPLED))) out.push('', cell(`${NOT_SAMPLED}: ${NOT_SAMPLED_MEANING}.`));
  }
  const found = verdicts(metrics, report);
  if (found.length) out.push('', '#### Findings', '', ...found.map((v) => `- ${cell(v)}`));
  return safeMarkdown(out) + '\n';
}
