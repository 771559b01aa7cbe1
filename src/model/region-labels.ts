// How every text names a region (tryout finding 14): two operations named 'map evenItem' read the
// same in the findings and the tables. One helper, so the summary, the findings, the tables and
// the views tell them apart alike.
import type { Region } from './report';

/**
 * A label per region, in the order given: its name when no other region has it; else the name
 * with its call site, 'map evenItem (imbc.js:14)', when that site is its own among the
 * same-named; else (calls from one site, a loop) the name with its place among the same-named in
 * the order given, 'map evenItem #2'. Linear in the regions.
 */
export function regionLabels(regions: readonly Pick<Region, 'name' | 'callSite'>[]): string[] {
  const byName = new Map<string, number>();
  const bySite = new Map<string, number>();
  const siteOf = (g: Pick<Region, 'name' | 'callSite'>): string | undefined =>
    g.callSite ? `${g.name}\u0001${g.callSite.file}\u0001${g.callSite.line}` : undefined;
  for (const g of regions) {
    byName.set(g.name, (byName.get(g.name) ?? 0) + 1);
    const site = siteOf(g);
    if (site) bySite.set(site, (bySite.get(site) ?? 0) + 1);
  }
  const seen = new Map<string, number>();
  return regions.map((g) => {
    const k = (seen.get(g.name) ?? 0) + 1;
    seen.set(g.name, k);
    if (byName.get(g.name)! === 1) return g.name;
    const site = siteOf(g);
    if (site && bySite.get(site) === 1) return `${g.name} (${fileName(g.callSite!.file)}:${g.callSite!.line})`;
    return `${g.name} #${k}`;
  });
}

function fileName(path: string): string {
  return path.split(/[\\/]/).pop() || path;
}

const cache = new WeakMap<readonly Region[], Map<number, string>>();

/** The label (regionLabels) of the region with this id among `regions`; built once per regions array. */
export function regionLabel(regions: readonly Region[], id: number): string {
  let byId = cache.get(regions);
  if (!byId) {
    const labels = regionLabels(regions);
    byId = new Map(regions.map((g, i) => [g.id, labels[i]]));
    cache.set(regions, byId);
  }
  return byId.get(id) ?? `region ${id}`;
}
