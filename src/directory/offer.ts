import type { CoreOfferStrand } from './core-offer.js';

export interface ServiceReach {
  id: string;
  name: string;
  strands: CoreOfferStrand[];
  districts: string[];
  authorityWide: boolean;
  minimumAge: number | null;
  maximumAge: number | null;
  groups: string[];
  tier: 'universal' | 'targeted' | 'specialist' | null;
}

// TEMPORARY until the directory branch lands (it defines offerReach over its tables).
export function offerReach(_db: unknown, _laCode: string): Promise<ServiceReach[]> {
  return Promise.resolve([]);
}
