// The export formats by name, declared once for the CLI (`parprof export --format`) and the
// extension (Export Report…), and the text of each one-file format. Pure.
import { analyze } from './analysis';
import type { Report } from './report';
import { toChromeTrace } from './export-chrome';
import { toFirefoxTrace } from './export-firefox';
import { toMarkdown } from './export-markdown';
import { toSpeedscope } from './export-speedscope';

/** Formats for other viewers; 'cpuprofile' is a folder of one .cpuprofile per thread (export-cpuprofile.ts). */
export const EXPORT_FORMATS = ['chrome', 'firefox', 'speedscope', 'cpuprofile', 'markdown'] as const;
export type ExportFormatName = typeof EXPORT_FORMATS[number];

/** How each format's file (or folder, for cpuprofile) name ends. */
export const EXPORT_SUFFIX: Record<ExportFormatName, string> = {
  chrome: '.trace.json', firefox: '.firefox.json', speedscope: '.speedscope.json', cpuprofile: '-cpuprofiles', markdown: '.md',
};

/** What each format is for, in the words of a menu. */
export const EXPORT_LABEL: Record<ExportFormatName, string> = {
  chrome: 'Chrome trace JSON with CPU samples (Perfetto, chrome://tracing, DevTools)',
  firefox: 'Firefox Profiler (a Chrome trace it reads with every thread\'s samples)',
  speedscope: 'speedscope JSON (a sampled profile per thread)',
  cpuprofile: '.cpuprofile per thread, into a folder (VS Code, DevTools)',
  markdown: 'Markdown summary (for a pull request)',
};

/** The text of a one-file format. */
export function exportText(report: Report, format: Exclude<ExportFormatName, 'cpuprofile'>): string {
  switch (format) {
    case 'chrome': return JSON.stringify(toChromeTrace(report, { profiles: true }));
    case 'firefox': return JSON.stringify(toFirefoxTrace(report));
    case 'speedscope': return JSON.stringify(toSpeedscope(report));
    case 'markdown': return toMarkdown(report, analyze(report));
  }
}
