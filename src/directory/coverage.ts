/**
 * Coverage of the core offer against need: for each of an authority's localities and each strand of
 * the extended-services core offer, the services there and the children who may need them, and where
 * need is high and the offer thin. Pure: the directory, the localities, the settings and the
 * aggregates are read elsewhere (coverage-data.ts) and passed in. The rules are stated in
 * `coverageRules` and in docs/directory.md.
 */
import type { CoreOfferStrand } from './core-offer.js';
import { coreOfferStrands } from './core-offer.js';
import type { Locality } from './localities.js';
import { localityByDistrict } from './localities.js';
import type { ServiceReach } from './offer.js';

/** A setting and the locality its authority puts it in (null when none). */
export interface PlacedSetting {
  urn: number;
  locality: string | null;
}

/** Per setting: its children, those in any group, IDACI deciles known and in the most deprived fifth. */
export interface SettingNeed {
  settingUrn: number;
  children: number;
  inAnyGroup: number;
  idaciKnown: number;
  idaciMostDeprived: number;
}

export interface SettingGroupNeed {
  settingUrn: number;
  group: string;
  children: number;
}

/**
 * How a count is released to the viewer: as it is, or withheld (null) when small and otherwise
 * perturbed and rounded (`releaseCount` with a cell key named by `parts`), so a locality's count
 * cannot be worked out from the authority's and the others'.
 */
export type ReleaseCount = (count: number, ...parts: (string | number)[]) => number | null;

export interface CoverageInput {
  localities: readonly Locality[];
  settings: readonly PlacedSetting[];
  needs: readonly SettingNeed[];
  groupNeeds: readonly SettingGroupNeed[];
  services: readonly ServiceReach[];
  /** The framework's groups in order, with their labels. */
  groups: readonly { id: string; label: string }[];
  release: ReleaseCount;
}

export interface LocalityNeed {
  locality: string;
  districts: string[];
  /** Settings the authority puts in the locality. */
  settings: number;
  /** Children at those settings (released). */
  children: number | null;
  /** Of them, in at least one of the vulnerable groups (released). */
  vulnerable: number | null;
  /** Vulnerable children as a share of children, 0 to 1, from released counts. */
  vulnerableShare: number | null;
  /** Share of children with a recorded IDACI decile whose home is in the most deprived fifth (deciles 1 and 2). */
  mostDeprivedShare: number | null;
  /** Children in each group (released), in the framework's order. */
  groups: { group: string; label: string; children: number | null }[];
  /** Whether need here is high: a share of vulnerable children or of the most deprived above the authority's. */
  highNeed: boolean;
}

export interface CoverageCell {
  locality: string;
  strand: CoreOfferStrand;
  /** Services delivering the strand at a location in the locality. */
  services: { id: string; name: string }[];
  /** Local services per 1,000 vulnerable children (null when the children are withheld or none). */
  perThousandVulnerable: number | null;
  /** The offer is thin: no local service, or under half the authority's rate per vulnerable child. */
  thin: boolean;
  /** Thin where need is high: the places to look at first. */
  flagged: boolean;
}

export interface StrandSummary {
  strand: CoreOfferStrand;
  label: string;
  /** Services delivering it at a location in one of the localities. */
  localServices: number;
  /** Services delivering it across the whole authority (online, by phone, or everywhere). */
  authorityWide: { id: string; name: string }[];
  /** Local services per 1,000 vulnerable children across the localities. */
  perThousandVulnerable: number | null;
}

export interface OfferCoverage {
  localities: LocalityNeed[];
  strands: StrandSummary[];
  /** Locality by strand, localities in name order, strands in the core offer's order. */
  cells: CoverageCell[];
  /** Thin cells, flagged first, then by vulnerable children (most first), then by fewest services. */
  ranked: CoverageCell[];
  /** What cannot be placed: settings in no defined locality, services at locations in no locality, localities with no districts. */
  unplaced: {
    settings: number;
    /** Children at those settings. */
    children: number | null;
    /** Children recorded without a setting, who cannot be placed at all. */
    withoutSetting: number | null;
    services: { id: string; name: string; districts: string[] }[];
    localitiesWithoutDistricts: string[];
    /** Locality names settings carry that the authority has not drawn with districts. */
    undrawnLocalities: string[];
  };
  authority: { children: number | null; vulnerable: number | null; vulnerableShare: number | null; mostDeprivedShare: number | null };
}

/** The rules, as the coverage page states them. */
export const coverageRules = [
  'Children are counted at the schools and settings the authority places in each locality (where children live is not held), from the latest year loaded.',
  'Vulnerable children are those in at least one of the framework’s thirteen groups. The most deprived are those whose home is in the most deprived fifth of England’s neighbourhoods (IDACI deciles 1 and 2).',
  'Need is high in a locality when its share of vulnerable children, or of children in the most deprived neighbourhoods, is above the authority’s.',
  'A service counts in a locality when one of its locations has a postcode in the locality’s districts. Services offered across the whole authority (online, by phone, or everywhere) are listed beside the matrix but do not count as local.',
  'The offer of a strand is thin in a locality when no local service delivers it, or when it has fewer than half the authority’s local services per 1,000 vulnerable children.',
  'A locality and strand is flagged when the offer is thin and need is high. The ranked list puts flagged ones first, then the most vulnerable children, then the fewest services.',
] as const;

/** Half the authority's rate: below it, a locality's offer of a strand is thin. */
export const thinShareOfAuthorityRate = 0.5;

const share = (part: number | null, whole: number | null): number | null => (part === null || whole === null || whole === 0 ? null : part / whole);
const sum = (values: readonly number[]) => values.reduce((total, value) => total + value, 0);

/** Works out coverage of the core offer, locality by strand (see `coverageRules`). */
export function coverageOfOffer(input: CoverageInput): OfferCoverage {
  const localityNames = [...input.localities].map((locality) => locality.name).sort((a, b) => a.localeCompare(b, 'en-GB'));
  const canonical = new Map(localityNames.map((name) => [name.toLowerCase(), name]));
  const settingLocality = new Map(input.settings.map((setting) => [setting.urn, setting.locality === null ? null : (canonical.get(setting.locality.trim().toLowerCase()) ?? null)]));
  const undrawn = [...new Set(input.settings.flatMap((setting) => (setting.locality !== null && !canonical.has(setting.locality.trim().toLowerCase()) ? [setting.locality.trim()] : [])))].sort();

  const needsIn = new Map<string | null, SettingNeed[]>();
  for (const need of input.needs) {
    const place = settingLocality.get(need.settingUrn) ?? null;
    needsIn.set(place, [...(needsIn.get(place) ?? []), need]);
  }
  const groupTotals = new Map<string, Map<string, number>>();
  for (const need of input.groupNeeds) {
    const place = settingLocality.get(need.settingUrn);
    if (place === undefined || place === null) continue;
    const byGroup = groupTotals.get(place) ?? new Map<string, number>();
    byGroup.set(need.group, (byGroup.get(need.group) ?? 0) + need.children);
    groupTotals.set(place, byGroup);
  }

  const placedNeeds = input.needs.filter((need) => (settingLocality.get(need.settingUrn) ?? null) !== null);
  const authorityChildren = input.release(sum(placedNeeds.map((need) => need.children)), 'children');
  const authorityVulnerable = input.release(sum(placedNeeds.map((need) => need.inAnyGroup)), 'vulnerable');
  const authorityKnown = sum(placedNeeds.map((need) => need.idaciKnown));
  const authorityDeprived = sum(placedNeeds.map((need) => need.idaciMostDeprived));
  const authority = {
    children: authorityChildren,
    vulnerable: authorityVulnerable,
    vulnerableShare: share(authorityVulnerable, authorityChildren),
    mostDeprivedShare: share(input.release(authorityDeprived, 'most-deprived'), input.release(authorityKnown, 'idaci-known')),
  };

  const localities: LocalityNeed[] = localityNames.map((name) => {
    const needs = needsIn.get(name) ?? [];
    const children = input.release(sum(needs.map((need) => need.children)), 'children', name);
    const vulnerable = input.release(sum(needs.map((need) => need.inAnyGroup)), 'vulnerable', name);
    const mostDeprivedShare = share(input.release(sum(needs.map((need) => need.idaciMostDeprived)), 'most-deprived', name), input.release(sum(needs.map((need) => need.idaciKnown)), 'idaci-known', name));
    const vulnerableShare = share(vulnerable, children);
    const above = (own: number | null, whole: number | null) => own !== null && whole !== null && own > whole;
    return {
      locality: name,
      districts: input.localities.find((locality) => locality.name === name)?.districts ?? [],
      settings: input.settings.filter((setting) => settingLocality.get(setting.urn) === name).length,
      children,
      vulnerable,
      vulnerableShare,
      mostDeprivedShare,
      groups: input.groups.map((group) => ({ group: group.id, label: group.label, children: input.release(groupTotals.get(name)?.get(group.id) ?? 0, 'group', group.id, name) })),
      highNeed: above(vulnerableShare, authority.vulnerableShare) || above(mostDeprivedShare, authority.mostDeprivedShare),
    };
  });

  const placeOf = localityByDistrict(input.localities);
  const servicesIn = new Map<string, ServiceReach[]>();
  const unplacedServices: OfferCoverage['unplaced']['services'] = [];
  for (const service of input.services) {
    if (service.authorityWide) continue;
    const places = [...new Set(service.districts.flatMap((district) => (placeOf.has(district) ? [placeOf.get(district)!] : [])))];
    if (places.length === 0) unplacedServices.push({ id: service.id, name: service.name, districts: service.districts });
    for (const place of places) servicesIn.set(place, [...(servicesIn.get(place) ?? []), service]);
  }

  const perThousand = (services: number, vulnerable: number | null) => (vulnerable === null || vulnerable === 0 ? null : (services * 1000) / vulnerable);
  const strands: StrandSummary[] = coreOfferStrands.map((strand) => {
    const local = new Set(localityNames.flatMap((name) => (servicesIn.get(name) ?? []).filter((service) => service.strands.includes(strand.id)).map((service) => service.id)));
    return {
      strand: strand.id,
      label: strand.label,
      localServices: local.size,
      authorityWide: input.services.filter((service) => service.authorityWide && service.strands.includes(strand.id)).map((service) => ({ id: service.id, name: service.name })),
      perThousandVulnerable: perThousand(local.size, authority.vulnerable),
    };
  });

  const cells: CoverageCell[] = localities.flatMap((locality) =>
    strands.map((summary) => {
      const services = (servicesIn.get(locality.locality) ?? []).filter((service) => service.strands.includes(summary.strand)).map((service) => ({ id: service.id, name: service.name }));
      const rate = perThousand(services.length, locality.vulnerable);
      const thin = services.length === 0 || (rate !== null && summary.perThousandVulnerable !== null && rate < thinShareOfAuthorityRate * summary.perThousandVulnerable);
      return { locality: locality.locality, strand: summary.strand, services, perThousandVulnerable: rate, thin, flagged: thin && locality.highNeed };
    }),
  );
  const vulnerableIn = new Map(localities.map((locality) => [locality.locality, locality.vulnerable ?? 0]));
  const strandOrder = coreOfferStrands.map((strand) => strand.id as string);
  const ranked = cells
    .filter((cell) => cell.thin)
    .sort(
      (a, b) =>
        Number(b.flagged) - Number(a.flagged) ||
        vulnerableIn.get(b.locality)! - vulnerableIn.get(a.locality)! ||
        a.services.length - b.services.length ||
        a.locality.localeCompare(b.locality, 'en-GB') ||
        strandOrder.indexOf(a.strand) - strandOrder.indexOf(b.strand),
    );

  const unplacedNeeds = (needsIn.get(null) ?? []).filter((need) => need.settingUrn !== -1);
  const withoutSetting = input.needs.filter((need) => need.settingUrn === -1);
  return {
    localities,
    strands,
    cells,
    ranked,
    unplaced: {
      settings: input.settings.filter((setting) => settingLocality.get(setting.urn) === null).length,
      children: input.release(sum(unplacedNeeds.map((need) => need.children)), 'children', 'unplaced'),
      withoutSetting: input.release(sum(withoutSetting.map((need) => need.children)), 'children', 'without-setting'),
      services: unplacedServices,
      localitiesWithoutDistricts: input.localities.filter((locality) => locality.districts.length === 0).map((locality) => locality.name).sort(),
      undrawnLocalities: undrawn,
    },
    authority,
  };
}
