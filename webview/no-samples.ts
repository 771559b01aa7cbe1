// The sample views (flamegraph, call tree, flame chart) of a report with no CPU samples would be
// an empty canvas and "0 of 0" rows. Say why instead: sampling was off, or the import had none.
import type { Report } from '../src/model/report';
import { el } from './dom';

/** A note for the top of a sample view when the report has no samples at all; undefined otherwise. */
export function noSamplesNote(report: Report): HTMLElement | undefined {
  if (report.profiles.some((p) => p.profile.samples.length > 0)) return undefined;
  const why = report.meta.recorder.startsWith('import:')
    ? 'the imported file holds no CPU samples'
    : report.meta.sampleIntervalUs === 0
      ? 'it was recorded with CPU sampling off (--sample-interval 0)'
      : 'no thread\'s CPU profile could be collected (see the summary\'s notes)';
  return el('p', { class: 'pp-hint pp-no-samples', role: 'note' },
    `No CPU samples in this report: ${why}. The timeline, tasks and their numbers are complete; record again with sampling on to see the code.`);
}
