// What the editor shows of past runs, per source file: the hot lines and the region numbers above
// pool calls. Each file keeps the annotations of the last run that had something to say about it;
// a new run of a script replaces that script's earlier annotations only. Pure: the extension
// reads files and draws, this decides what belongs where and whether it still matches the text.
import type { Region, Report } from './report';
import type { RegionMetrics, RunMetrics } from './analysis';
import type { FileHotness } from './lines';
import { urlToPath } from './profile-index';

/** At most this many region lenses per line (a pool call in a loop starts many regions). */
export const REGIONS_PER_LINE = 3;

/** A region's numbers above the call that started it. */
export interface RegionLens {
  /** 1-based. */
  line: number;
  /** Region.id. */
  region: number;
  name: string;
  title: string;
}

/** One file's annotations, from one run. */
export interface FileAnnotations {
  /** Absolute path. */
  file: string;
  /** The .parprof the numbers come from. */
  reportFile: string;
  /** The profiled script (Report.meta.script): a new run of it replaces these. */
  script: string;
  /** textFingerprint of the file when the run ended; undefined = unknown (then never stale). */
  fingerprint?: string;
  hot?: FileHotness;
  lenses: RegionLens[];
  /** Thread names by id, for the hot lines' per-thread hover. */
  threadNames: Record<number, string>;
}

/**
 * A short fingerprint of a text (FNV-1a over UTF-16 code units, and the length): equal texts
 * give equal fingerprints; an edit almost surely changes it. Not a security hash.
 */
export function textFingerprint(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return `${text.length.toString(36)}-${h.toString(36)}`;
}

/**
 * The annotations a run makes, one entry per file with hot lines or a region call site (without
 * fingerprints; the caller reads the files). `lensTitle` words a region's numbers.
 */
export function runAnnotations(reportFile: string, report: Report, metrics: RunMetrics, hot: readonly FileHotness[],
  lensTitle: (region: Region, metrics: RegionMetrics) => string): FileAnnotations[] {
  const files = new Map<string, FileAnnotations>();
  const threadNames: Record<number, string> = Object.fromEntries(report.threads.map((t) => [t.id, t.name]));
  const entry = (file: string): FileAnnotations => {
    let e = files.get(file);
    if (!e) files.set(file, (e = { file, reportFile, script: report.meta.script, lenses: [], threadNames }));
    return e;
  };
  for (const h of hot) {
    const file = urlToPath(h.file);
    entry(file).hot = { file, lines: h.lines };
  }
  const metricsById = new Map(metrics.regions.map((m) => [m.id, m]));
  const perLine = new Map<string, number>();
  for (const region of report.regions) {
    const site = region.callSite;
    const m = metricsById.get(region.id);
    if (!site || !m || site.line < 1) continue;
    const file = urlToPath(site.file);
    const key = `${file}\n${site.line}`;
    const count = perLine.get(key) ?? 0;
    perLine.set(key, count + 1);
    if (count >= REGIONS_PER_LINE) continue;
    entry(file).lenses.push({ line: site.line, region: region.id, name: region.name, title: lensTitle(region, m) });
  }
  return [...files.values()];
}

/** Never equal to a textFingerprint: the file changed after the run started, so its text then is unknown. */
export const CHANGED_SINCE_RUN = 'changed-since-run';

/**
 * The fingerprint to record for a file read after a run: its text's, unless the file was written
 * after the run started (edited during the run, or since an old report was made), in which case
 * nothing on disk describes the code that ran. Times are ms since the epoch.
 */
export function fingerprintAtRun(text: string, modifiedMs: number, runStartedAtMs: number): string {
  return modifiedMs > runStartedAtMs ? CHANGED_SINCE_RUN : textFingerprint(text);
}

/** Whether annotations recorded for a text still describe `currentText`. */
export function matchesText(entry: Pick<FileAnnotations, 'fingerprint'>, currentText: string): boolean {
  return entry.fingerprint === undefined || entry.fingerprint === textFingerprint(currentText);
}

/** Annotations of every file, each from the last run that annotated it. */
export class AnnotationStore {
  private readonly byFile = new Map<string, FileAnnotations>();

  /**
   * Adds a run's annotations: the earlier annotations of the same script go (its files that this
   * run no longer touches are cleared), files annotated by other scripts' runs keep theirs unless
   * this run annotates them too. Returns every file whose annotations changed.
   */
  addRun(script: string, files: readonly FileAnnotations[]): string[] {
    const changed = new Set<string>();
    for (const [file, e] of this.byFile) {
      if (e.script === script) {
        this.byFile.delete(file);
        changed.add(file);
      }
    }
    for (const f of files) {
      this.byFile.set(f.file, f);
      changed.add(f.file);
    }
    return [...changed];
  }

  get(file: string): FileAnnotations | undefined {
    return this.byFile.get(file);
  }

  files(): string[] {
    return [...this.byFile.keys()];
  }

  /** Removes everything; returns the files that had annotations. */
  clear(): string[] {
    const files = this.files();
    this.byFile.clear();
    return files;
  }
}
