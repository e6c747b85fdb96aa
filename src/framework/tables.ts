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

/** A published revision of the catalogue: the seed is revision 0; each accepted amendment makes the next. */
export interface FrameworkRevisionTable {
  number: number;
  published_at: ColumnType<Date, Date | undefined, never>;
  published_by_label: string;
  summary: string;
}

export type StatementChangeKind = 'amend' | 'add' | 'retire';

/** What one revision did to one statement. The statement's wording at revision N is its last change at or before N. */
export interface FrameworkStatementChangeTable {
  revision: number;
  statement_id: string;
  change: StatementChangeKind;
  kind: string;
  template: number | null;
  layer: string | null;
  tier: string | null;
  thread: string | null;
  parent_id: string | null;
  text: string;
  previous_text: string | null;
  reason: ColumnType<string, string | undefined, string>;
}

export interface FrameworkTables {
  framework_catalogue: FrameworkCatalogueTable;
  framework_item: FrameworkItemTable;
  framework_revision: FrameworkRevisionTable;
  framework_statement_change: FrameworkStatementChangeTable;
}
