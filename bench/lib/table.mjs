// Markdown tables of the results: one for the pools, one for every other measurement.

const fmt = (x, digits = 2) => (x === undefined || x === null || Number.isNaN(x) ? '—' : Number(x).toFixed(digits));
const status = (r) => (r.unavailable ? 'unavailable' : r.pass === undefined ? '—' : r.pass ? 'pass' : 'MISS');

function table(header, lines) {
  return [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`, ...lines.map((l) => `| ${l.join(' | ')} |`)].join('\n');
}

/** Pool rows: wall time (median, ms), speedup over sequential, efficiency = speedup / threads. */
export function poolTable(rows) {
  return table(
    ['job', 'pool', 'variant', 'wall ms', 'speedup', 'efficiency', '× piscina', 'target', 'status', 'note'],
    rows.map((r) => [r.job, r.pool === 'ours' ? '**ours**' : r.pool, r.variant,
      r.unavailable ? '—' : fmt(r.wallMs, 1), fmt(r.speedup), fmt(r.efficiency), fmt(r.vsPiscina),
      r.target === undefined ? '—' : `≥ ${r.target.toFixed(2)}`, status(r),
      r.unavailable ? `unavailable: ${r.unavailable}` : r.note ?? '']),
  );
}

/** Every other measurement: { name, value, unit, digits?, target?: string, pass?, note?, unavailable? }. */
export function measureTable(rows) {
  return table(
    ['measurement', 'value', 'target', 'status', 'note'],
    rows.map((r) => [r.name, r.unavailable ? '—' : `${fmt(r.value, r.digits ?? 2)} ${r.unit ?? ''}`.trim(), r.target ?? '—', status(r),
      r.unavailable ? `unavailable: ${r.unavailable}` : r.note ?? '']),
  );
}
