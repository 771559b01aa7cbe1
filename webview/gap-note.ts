// The sample views (flamegraph, call tree, flame chart) leave out a stretch whose CPU samples were
// lost (report `dropped.sampleGaps`); when one falls in what a view shows, a note says how much
// of the shown threads' time that is, so a smaller tree is not read as less work.
import type { Report } from '../src/model/report';
import { unsampledGapUs } from '../src/model/sample-gaps';
import { el, ms } from './dom';

export class GapNote {
  readonly element: HTMLElement;

  constructor(private readonly report: Report, id: string, private readonly what: string) {
    this.element = el('p', { class: 'pp-hint pp-gap-note', id, role: 'note', hidden: true });
  }

  /** Shows the note for the threads (undefined = all) over [from, to], or per thread over the pairs given (selected tasks). */
  update(shown: { threads?: readonly number[]; from?: number; to?: number; pairs?: ReadonlyMap<number, ArrayLike<number>> }): void {
    const us = (this.report.dropped.sampleGaps?.length ?? 0) > 0 ? unsampledGapUs(this.report, shown) : 0;
    this.element.hidden = us <= 0;
    this.element.dataset.us = String(us);
    this.element.textContent = us > 0
      ? `${ms(us)} of the shown threads' time here has no CPU samples (they were lost: the timeline's grey bands say why), so ${this.what} leaves it out.`
      : '';
  }
}
