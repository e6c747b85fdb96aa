import type { Kysely } from 'kysely';
import type { Schema } from '../db/schema.js';
import type { Locality } from '../directory/localities.js';
import { localitiesOf, replaceLocalities } from '../directory/localities.js';

/**
 * The postcode districts of the demo authorities' localities (North, West, South and East, as the
 * demo settings carry them: src/demo/demo-settings.ts). The districts are the authorities' real
 * ones, grouped roughly by where they lie; the grouping is the demo's own.
 */
export const demoLocalityDistricts: Readonly<Record<string, readonly Locality[]>> = {
  // Leeds
  E08000035: [
    { name: 'North', districts: ['LS16', 'LS17', 'LS18', 'LS19', 'LS20', 'LS21', 'LS22', 'LS23', 'LS29'] },
    { name: 'West', districts: ['LS3', 'LS4', 'LS5', 'LS6', 'LS12', 'LS13', 'LS27', 'LS28'] },
    { name: 'South', districts: ['LS1', 'LS2', 'LS10', 'LS11', 'LS24', 'LS25', 'LS26'] },
    { name: 'East', districts: ['LS7', 'LS8', 'LS9', 'LS14', 'LS15'] },
  ],
  // Bradford
  E08000032: [
    { name: 'North', districts: ['BD16', 'BD17', 'BD18', 'BD20', 'BD23', 'BD10'] },
    { name: 'West', districts: ['BD13', 'BD15', 'BD21', 'BD22', 'BD9'] },
    { name: 'South', districts: ['BD4', 'BD5', 'BD6', 'BD7', 'BD11', 'BD12'] },
    { name: 'East', districts: ['BD1', 'BD2', 'BD3', 'BD8', 'BD14'] },
  ],
  // Wakefield
  E08000036: [
    { name: 'North', districts: ['WF1', 'WF2', 'WF3'] },
    { name: 'West', districts: ['WF4', 'WF5', 'WF12'] },
    { name: 'South', districts: ['WF9', 'S71', 'S72'] },
    { name: 'East', districts: ['WF6', 'WF7', 'WF8', 'WF10', 'WF11'] },
  ],
};

/** Draws each demo authority's localities, unless it has drawn its own. */
export async function loadDemoLocalities(db: Kysely<Schema>, log: (message: string) => void): Promise<void> {
  for (const [laCode, localities] of Object.entries(demoLocalityDistricts)) {
    if ((await localitiesOf(db, laCode)).length > 0) continue;
    await replaceLocalities(db, laCode, localities, 'the demo loader (fictional demo data)');
    log(`Demo mode: drew ${localities.length} localities for ${laCode}.`);
  }
}
