import type { ColumnType } from 'kysely';
import type { CatalogueItem } from './catalogue.js';

export interface FrameworkCatalogueTable {
  version: string;
  content_hash: string;
  item_count: number;
  loaded_at: ColumnType<Date, never, never>;
}

export interface FrameworkItemTable {
  id: string;
  position: number;
  kind: string;
  template: number | null;
  layer: string | null;
  tier: string | null;
  thread: string | null;
  parent_id: string | null;
  text: string;
  search_text: string;
  item: ColumnType<CatalogueItem, string, string>;
  search_vector: ColumnType<string, never, never>;
}

export interface FrameworkTables {
  framework_catalogue: FrameworkCatalogueTable;
  framework_item: FrameworkItemTable;
}
