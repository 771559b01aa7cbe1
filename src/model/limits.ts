// The sizes a report may have. Each limit keeps a later step (decoding, analysis, drawing) safe
// from a hostile or broken file; docs/hardening.md lists them with the reason for each.

/**
 * Largest report read, in bytes, both as stored (possibly gzip) and as JSON text once
 * decompressed: V8 cannot hold a longer string (its limit is 2^29 − 24 UTF-16 units), so a larger
 * file could never be parsed anyway, and the cap stops a gzip bomb before it fills memory.
 */
export const MAX_REPORT_BYTES = 512 * 1024 * 1024;

/** Most threads in one report (and the most a region or pool may claim to run on). */
export const MAX_THREADS = 100_000;

/** Most regions in one report. */
export const MAX_REGIONS = 10_000_000;

/**
 * Most (threads + 1) × (regions + 1): the analysis keeps a table with a cell per region and
 * thread, and its output lists each idle worker of a pool under every region it lived through.
 * 2,000 threads × 2,000 regions is 4M cells.
 */
export const MAX_THREAD_REGION_CELLS = 1 << 24;

/**
 * Largest magnitude of a time, µs (2^53, about 285 years): sums and differences of such times stay
 * finite and exact enough, so no metric becomes NaN or Infinity.
 */
export const MAX_TIME_US = 2 ** 53;

/** Most logical cores a report may claim. */
export const MAX_CORES = 1 << 20;

/**
 * Deepest nesting of arrays and objects in a file's JSON. Reports and the formats we import nest
 * less than 10 deep; code that walks or prints a value (String(), JSON.stringify, structuredClone)
 * recurses, and a file nested 100,000 deep overflowed the stack in the importers.
 */
export const MAX_JSON_DEPTH = 128;
