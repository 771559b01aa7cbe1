// The exports and imports of reports, one module per format (export-*.ts, import-*.ts; the
// dispatcher that picks an importer by content is import.ts). This module keeps the names
// callers used before the split.
export { toChromeTrace, type ChromeTrace, type TraceEvent } from './export-chrome';
export { importCpuProfile, importCpuProfiles } from './import-cpuprofile';
export { parseAnyReport, importReport } from './import';
export { EXPORT_FORMATS, EXPORT_LABEL, EXPORT_SUFFIX, exportText, type ExportFormatName } from './export-formats';
export { toCpuProfiles } from './export-cpuprofile';
