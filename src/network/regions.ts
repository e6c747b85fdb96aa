/**
 * England's nine regions and the local authorities in each, as the network shows them: from the
 * areas data (src/areas), current authorities only, each region's authorities by name.
 */
import { allAreas, localAuthoritiesIn, localAuthorityByGss, regionOf } from '../areas/areas.js';

export interface AuthorityEntry {
  code: string;
  name: string;
}

export interface RegionEntry {
  code: string;
  name: string;
  authorities: AuthorityEntry[];
}

const byName = (a: { name: string }, b: { name: string }) => a.name.localeCompare(b.name, 'en-GB');

let regions: readonly RegionEntry[] | undefined;

/** The nine regions in the order of their codes (North East first), each with its authorities. */
export function networkRegions(): readonly RegionEntry[] {
  regions ??= allAreas('region').map((region) => ({
    code: region.code,
    name: region.name,
    authorities: localAuthoritiesIn(region.code)
      .map((la) => ({ code: la.gss, name: la.name }))
      .sort(byName),
  }));
  return regions;
}

/** One region by its code (E12…), or undefined. */
export function networkRegion(code: string): RegionEntry | undefined {
  const wanted = code.trim().toUpperCase();
  return networkRegions().find((region) => region.code === wanted);
}

/** A current authority by its GSS code, with its region, or undefined (unknown, or a code no longer in use). */
export function networkAuthority(code: string): (AuthorityEntry & { region: AuthorityEntry }) | undefined {
  const la = localAuthorityByGss(code.trim().toUpperCase());
  if (la === undefined || la.validTo !== null) return undefined;
  const region = regionOf(la);
  return { code: la.gss, name: la.name, region: { code: region.code, name: region.name } };
}
