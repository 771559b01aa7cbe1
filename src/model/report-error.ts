// The one error a report reader throws for input it cannot read. Its own module so that every
// reader (load.ts, packed-report.ts, the importers) can throw it without importing each other.

/** A report that cannot be read; the message names the problem and where it is. */
export class ReportError extends Error {
  override name = 'ReportError';
}
