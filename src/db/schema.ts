import type { ColumnType, Generated } from 'kysely';
import type { AssessmentTables } from '../assessment/tables.js';
import type { AggregateTables } from '../aggregates/tables.js';
import type { AuthTables } from '../auth/tables.js';
import type { DirectoryTables } from '../directory/tables.js';
import type { FrameworkTables } from '../framework/tables.js';
import type { GapTables } from '../gaps/tables.js';
import type { PlanTables } from '../plans/curve/tables.js';
import type { ImprovementPlanTables } from '../plans/tables.js';
import type { IngestTables } from '../ingest/tables.js';
import type { StatisticsTables } from '../ingest/statistics-tables.js';
import type { NetworkTables } from '../network/tables.js';
import type { PracticeTables } from '../practice/tables.js';
import type { TrackingTables } from '../tracking/tables.js';
import type { VoicesTables } from '../voices/tables.js';

/**
 * The database's tables as Kysely sees them. Each capability declares its own tables in its
 * folder and adds them here, so `Kysely<Schema>` types every query in the service.
 */
export interface InstanceTable {
  id: Generated<string>;
  created_at: ColumnType<Date, never, never>;
  created_by_version: string;
}

export interface Schema extends FrameworkTables, AuthTables, IngestTables, AggregateTables, StatisticsTables, PlanTables, ImprovementPlanTables, AssessmentTables, PracticeTables, GapTables, TrackingTables, NetworkTables, DirectoryTables, VoicesTables {
  instance: InstanceTable;
}
