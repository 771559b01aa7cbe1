// The readable summary `parprof record` and `parprof report` print. A stand-in until
// src/model/summary.ts provides formatSummary(report, metrics); main.ts has the one call site.
import type { RunMetrics } from '../model/analysis';
import type { Report } from '../model/report';

const ms = (v: number): string => `${v.toFixed(1)} ms`;
const pct = (v: number): string => `${(v * 100).toFixed(1)} %`;

export function summaryText(report: Report, m: RunMetrics): string {
  const lines: string[] = [];
  const { meta } = report;
  lines.push(`${meta.script} ${meta.args.join(' ')}`.trim());
  lines.push(`node ${meta.nodeVersion}, ${meta.cores} cores, pool default ${meta.pool.threads} threads ${meta.pool.schedule}, run ${ms(meta.durationUs / 1000)}`);
  lines.push('');
  lines.push(`wall ${ms(m.wallMs)}  utilization ${pct(m.utilization)}  imbalance ${m.imbalance.toFixed(2)}  potential gain ${ms(m.potentialGainMs)}  tail ${ms(m.tailMs)}`);
  lines.push(`queue wait p50 ${ms(m.queueWaitMs.p50)}  p95 ${ms(m.queueWaitMs.p95)}  max ${ms(m.queueWaitMs.max)}`);
  lines.push('');
  lines.push(pad(['thread', 'busy', 'idle', 'tasks', 'samples'], [16, 12, 12, 8, 8]));
  for (const t of m.threads) {
    lines.push(pad([t.name, ms(t.busyMs), ms(Math.max(0, m.wallMs - t.busyMs)), String(t.tasks), String(t.samples)], [16, 12, 12, 8, 8]));
  }
  if (m.regions.length > 0) {
    lines.push('');
    lines.push(pad(['region', 'wall', 'util', 'imbalance', 'gain', 'tasks'], [32, 12, 9, 10, 12, 8]));
    for (const r of m.regions) {
      lines.push(pad([r.name, ms(r.wallMs), pct(r.utilization), r.imbalance.toFixed(2), ms(r.potentialGainMs), String(r.tasks)], [32, 12, 9, 10, 12, 8]));
    }
  }
  const hot = m.threads.filter((t) => t.topFunctions.length > 0);
  if (hot.length > 0) {
    lines.push('');
    lines.push('hottest functions (self time):');
    for (const t of hot) {
      const top = t.topFunctions.slice(0, 3).map((f) => `${f.name || '(anonymous)'} ${ms(f.selfMs)}`).join(', ');
      lines.push(`  ${t.name}: ${top}`);
    }
  }
  const d = m.dropped;
  if (d.spans + d.samples + d.profiles > 0) lines.push('', `dropped: ${d.spans} spans, ${d.samples} samples, ${d.profiles} profiles`);
  const e = m.exit;
  lines.push('', `exit: ${e.signal ? `killed by ${e.signal}` : `code ${e.code}`}${e.error ? `, uncaught: ${e.error.message}` : ''}`);
  return lines.join('\n');
}

function pad(cells: string[], widths: number[]): string {
  return cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join(' ').trimEnd();
}
