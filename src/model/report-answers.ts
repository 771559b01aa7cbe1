// What a large report's first screen answers before its spans have arrived: the headline numbers,
// the leading finding and the top functions of the whole run, as the report's own views compute
// them. `parprof record` computes them while it has the report in memory and writes them into the
// packed file's header (packed-report.ts), beside the lanes' preview; a viewer shows them at once,
// labelled as the recording's, and the reader checks them against the spans and samples once it
// has read them whole (answersMismatch). Pure.
import type { RunMetrics } from './analysis';
import type { Report } from './report';
import { headlineItems, type HeadlineItem } from './headline';
import { applyTransforms, baseSamples } from './transforms';
import { functionStats } from './calltree';
import { runEndUs } from './report-preview';
import { formatMsFromUs } from './units';

/** Functions the first screen lists before the report has arrived. */
export const ANSWER_FUNCTIONS = 10;
/** Longest text of a header's answer the reader accepts (a function's name or file, a finding), characters. */
const TEXT_MAX = 4096;

/** One row of the top functions: what the timeline's side table shows for the whole run. */
export interface AnswerFunction {
  name: string;
  file: string;
  /** 1-based; 0 unknown. */
  line: number;
  /** µs on top of the stack, over every thread. */
  self: number;
  /** µs anywhere on the stack, counted once per stack. */
  total: number;
}

export interface ReportAnswers {
  /** `meta.recorder` of the parprof that computed these: a reader of another version ignores them (its numbers may differ). */
  by: string;
  headline: HeadlineItem[];
  /** The first of the findings as the first screen leads with it; '' with none. */
  finding: string;
  /** The whole run's top functions by self time, the pool's and recorder's frames merged away (the views' default). */
  functions: AnswerFunction[];
  /** Functions with samples in the whole run: `functions` is the first ANSWER_FUNCTIONS of them. */
  functionCount: number;
}

/** The answers of a validated report with its metrics and findings (verdicts). */
export function reportAnswers(report: Report, metrics: RunMetrics, findings: readonly string[]): ReportAnswers {
  const samples = applyTransforms(baseSamples(report), [], { showRuntime: false });
  const stats = functionStats(samples, { from: 0, to: runEndUs(report) });
  const functions = stats.slice(0, ANSWER_FUNCTIONS).map(({ name, file, line, self, total }) => ({ name, file, line, self, total }));
  return { by: report.meta.recorder, headline: headlineItems(report, metrics), finding: findings[0] ?? '', functions, functionCount: stats.length };
}

const isText = (v: unknown): v is string => typeof v === 'string' && v.length <= TEXT_MAX;
const isAmount = (v: unknown): v is number => typeof v === 'number' && v >= 0 && v < Infinity;

/**
 * A header's answers (`raw`, as written) for `report` (the header's report: meta validated), when
 * they are well formed and were computed by `version` (this reader's parprof): text and numbers
 * only, within bounds. Undefined otherwise, and the first screen waits for the report's own.
 */
export function headerAnswers(raw: unknown, report: Report, version: string): ReportAnswers | undefined {
  if (!raw || typeof raw !== 'object') return undefined;
  const { by, headline, finding, functions, functionCount } = raw as Record<string, unknown>;
  if (by !== version || report.meta.recorder !== version || !isText(finding)) return undefined;
  if (!Number.isSafeInteger(functionCount) || !isAmount(functionCount)) return undefined;
  if (!Array.isArray(headline) || headline.length === 0 || headline.length > 16 || !Array.isArray(functions) || functions.length > ANSWER_FUNCTIONS) return undefined;
  const items: HeadlineItem[] = [];
  for (const h of headline as unknown[]) {
    const { key, label, value } = (h ?? {}) as Record<string, unknown>;
    if (!isText(key) || !isText(label) || !isText(value)) return undefined;
    items.push({ key, label, value });
  }
  const rows: AnswerFunction[] = [];
  for (const f of functions as unknown[]) {
    const { name, file, line, self, total } = (f ?? {}) as Record<string, unknown>;
    if (!isText(name) || !isText(file) || !Number.isSafeInteger(line) || !isAmount(line) || !isAmount(self) || !isAmount(total)) return undefined;
    rows.push({ name, file, line, self, total });
  }
  if (functionCount < rows.length) return undefined;
  return { by, headline: items, finding, functions: rows, functionCount };
}

/**
 * Why the answers a viewer showed first (`shown`, from the header) are not the report's own
 * (`own`, computed from its spans and samples), in one line; undefined when they are the same.
 */
export function answersMismatch(shown: ReportAnswers, own: ReportAnswers): string | undefined {
  const short = (text: string) => (text.length > 40 ? `${text.slice(0, 40)}…` : text);
  if (shown.headline.length !== own.headline.length || shown.headline.some((a, k) => a.key !== own.headline[k].key || a.label !== own.headline[k].label)) {
    return 'its header lists other headline numbers than its spans give';
  }
  const k = shown.headline.findIndex((a, i) => a.value !== own.headline[i].value);
  if (k >= 0) return `its header says ${own.headline[k].label} ${short(shown.headline[k].value)}; its spans give ${own.headline[k].value}`;
  if (shown.finding !== own.finding) return 'its header leads with another finding than its spans give';
  if (shown.functionCount !== own.functionCount) return `its header counts ${shown.functionCount} functions with samples; its samples have ${own.functionCount}`;
  const f = Math.max(shown.functions.length, own.functions.length);
  for (let i = 0; i < f; i++) {
    const a = shown.functions[i], b = own.functions[i];
    if (a?.name !== b?.name || a?.file !== b?.file || a?.line !== b?.line || a?.self !== b?.self || a?.total !== b?.total) {
      return `its header's top function ${i + 1} is not its samples' (${b ? `${short(b.name)}, self ${formatMsFromUs(b.self)}` : 'none'})`;
    }
  }
  return undefined;
}
