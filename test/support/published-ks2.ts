import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Kysely } from 'kysely';
import type { Schema } from '../../src/db/schema.js';
import { importStatistics } from '../../src/ingest/statistics/service.js';

/**
 * A key stage 2 file shaped as DfE publishes them (`breakdown` grouped by `breakdown_topic`), for
 * authorities of Yorkshire and The Humber, loaded as national statistics.
 */
const meta = [
  'col_name,col_type,label,indicator_grouping,indicator_unit,indicator_dp,filter_hint,filter_grouping_column',
  'breakdown,Filter,Pupil characteristic,,,,,breakdown_topic',
  't_rwm_eligible_pupils,Indicator,Eligible pupils,,,0,,',
  'pt_rwm_met_expected_standard,Indicator,Percentage meeting the expected standard in reading writing and maths,,%,0,,',
].join('\n');
const header = 'time_period,time_identifier,geographic_level,country_code,country_name,region_code,region_name,old_la_code,new_la_code,la_name,breakdown_topic,breakdown,t_rwm_eligible_pupils,pt_rwm_met_expected_standard';

export interface PublishedKs2Row {
  /** "202324". */
  period: string;
  la: { code: string; name: string; oldCode: string };
  topic: string;
  breakdown: string;
  pupils: string;
  percent: string;
}

export async function loadPublishedKs2(db: Kysely<Schema>, rows: readonly PublishedKs2Row[]): Promise<void> {
  const folder = mkdtempSync(join(tmpdir(), 'ntg-published-ks2-'));
  try {
    const data = [
      header,
      ...rows.map((row) => `${row.period},Academic year,Local authority,E92000001,England,E12000003,Yorkshire and The Humber,${row.la.oldCode},${row.la.code},${row.la.name},${row.topic},${row.breakdown},${row.pupils},${row.percent}`),
    ].join('\n');
    writeFileSync(join(folder, 'key_stage_2.csv'), data);
    writeFileSync(join(folder, 'key_stage_2.meta.csv'), meta);
    const result = await importStatistics(db, {
      dataPath: join(folder, 'key_stage_2.csv'),
      metaPath: join(folder, 'key_stage_2.meta.csv'),
      dataDir: folder,
      uploadedBy: { userId: null, label: 'operator (command line)', organisationId: null },
    });
    if (result.outcome !== 'loaded') throw new Error(`the published file did not load: ${JSON.stringify(result)}`);
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}
