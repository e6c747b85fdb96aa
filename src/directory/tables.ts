import type { ColumnType } from 'kysely';

type Timestamp = ColumnType<Date, Date | undefined, Date>;

/** An authority's locality: the postcode districts it is drawn with (its settings name it in `organisation.locality`). */
export interface DirectoryLocalityTable {
  la_code: string;
  name: string;
  districts: ColumnType<string[], string[] | undefined, string[]>;
  updated_by_label: string;
  updated_at: Timestamp;
}


type Optional<T> = ColumnType<T | null, T | null | undefined, T | null>;
type TextArray = ColumnType<string[], string[] | undefined, string[]>;
/** A tsvector generated from the row: never written, never read back into the service. */
type GeneratedVector = ColumnType<never, never, never>;

/** An HSDS taxonomy: core-offer strands, framework groups, tiers of need, template statements, referral routes. */
export interface DirectoryTaxonomyTable {
  id: string;
  name: string;
  description: string;
  uri: Optional<string>;
  version: Optional<string>;
}

export interface DirectoryTaxonomyTermTable {
  id: string;
  taxonomy_id: string;
  code: string;
  name: string;
  description: Optional<string>;
}

export interface DirectoryOrganisationTable {
  la_code: string;
  id: string;
  name: string;
  updated_at: Timestamp;
}

export type ServiceStatus = 'active' | 'inactive' | 'defunct' | 'temporarily closed';
export type TierOfNeed = 'universal' | 'targeted' | 'specialist';

/** A service: its whole Open Referral UK record (`record`) and the facts derived from it that the directory searches. */
export interface DirectoryServiceTable {
  la_code: string;
  id: string;
  organisation_id: Optional<string>;
  organisation_name: Optional<string>;
  name: string;
  description: string;
  status: ServiceStatus;
  // numeric comes back from PostgreSQL as a string
  minimum_age: ColumnType<string | null, number | null, number | null>;
  maximum_age: ColumnType<string | null, number | null, number | null>;
  tier: Optional<TierOfNeed>;
  strands: TextArray;
  groups: TextArray;
  statements: TextArray;
  referral_routes: TextArray;
  term_ids: TextArray;
  free: boolean;
  authority_wide: boolean;
  record: ColumnType<Record<string, unknown>, string, string>;
  last_modified: Timestamp;
  updated_by_label: string;
  search_vector: GeneratedVector;
}

export interface DirectoryLocationTable {
  la_code: string;
  id: string;
  name: string;
  address: string;
  postcode: Optional<string>;
  district: Optional<string>;
  latitude: Optional<number>;
  longitude: Optional<number>;
}

export interface DirectoryServiceAtLocationTable {
  la_code: string;
  id: string;
  service_id: string;
  location_id: string;
}

/** A postcode's centroid, from the ONS Postcode Directory. */
export interface DirectoryPostcodeTable {
  postcode: string;
  latitude: number;
  longitude: number;
}

/** One row: moved on by every change to services or postcodes (service-index.ts). */
export interface DirectoryRevisionTable {
  id: number;
  revision: ColumnType<string, string | number, string | number>;
}

export interface DirectoryTables {
  directory_revision: DirectoryRevisionTable;
  directory_locality: DirectoryLocalityTable;
  directory_taxonomy: DirectoryTaxonomyTable;
  directory_taxonomy_term: DirectoryTaxonomyTermTable;
  directory_organisation: DirectoryOrganisationTable;
  directory_service: DirectoryServiceTable;
  directory_location: DirectoryLocationTable;
  directory_service_at_location: DirectoryServiceAtLocationTable;
  directory_postcode: DirectoryPostcodeTable;
}
