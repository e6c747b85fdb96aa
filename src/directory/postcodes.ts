/**
 * Postcode centroids from the ONS Postcode Directory (ONSPD): columns `pcds` (or `pcd`), `lat` and
 * `long`. The real file has about 2.7 million rows, so it is streamed and written in batches; rows
 * without coordinates (ONSPD gives 99.999999 / 0.000000 for terminated or unplaced postcodes, or
 * leaves them empty) are skipped and counted. The table is replaced whole, in one transaction.
 */
import { createReadStream } from 'node:fs';
import { parse } from 'csv-parse';
import type { Kysely } from 'kysely';
import type { Schema } from '../db/schema.js';
import { normalisePostcode } from './postcode.js';
import { moveRevisionOn } from './store.js';

export class PostcodeFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PostcodeFileError';
  }
}

export interface PostcodeLoad {
  loaded: number;
  skippedWithoutCoordinates: number;
  skippedNotPostcodes: number;
}

const batchSize = 2000;

function coordinates(latText: string | undefined, longText: string | undefined): { latitude: number; longitude: number } | null {
  if (latText === undefined || longText === undefined || latText.trim() === '' || longText.trim() === '') return null;
  const latitude = Number(latText);
  const longitude = Number(longText);
  if (!Number.isFinite(latitude) || !Number.isFinite(longitude) || Math.abs(latitude) > 90 || Math.abs(longitude) > 180) return null;
  // ONSPD's marker for a postcode with no grid reference.
  if (latitude === 99.999999) return null;
  return { latitude, longitude };
}

export async function loadPostcodeFile(db: Kysely<Schema>, path: string): Promise<PostcodeLoad> {
  const counts: PostcodeLoad = { loaded: 0, skippedWithoutCoordinates: 0, skippedNotPostcodes: 0 };
  await db.transaction().execute(async (trx) => {
    await trx.deleteFrom('directory_postcode').execute();
    await moveRevisionOn(trx);
    const parser = createReadStream(path).pipe(parse({ bom: true, columns: (header: string[]) => header.map((name) => name.trim().toLowerCase()), relax_column_count: true }));
    let batch = new Map<string, { postcode: string; latitude: number; longitude: number }>();
    const flush = async () => {
      if (batch.size === 0) return;
      await trx
        .insertInto('directory_postcode')
        .values([...batch.values()])
        .onConflict((conflict) => conflict.column('postcode').doUpdateSet((eb) => ({ latitude: eb.ref('excluded.latitude'), longitude: eb.ref('excluded.longitude') })))
        .execute();
      batch = new Map();
    };
    let checkedHeader = false;
    for await (const row of parser as AsyncIterable<Record<string, string>>) {
      if (!checkedHeader) {
        checkedHeader = true;
        if (!('pcds' in row || 'pcd' in row) || !('lat' in row) || !('long' in row)) throw new PostcodeFileError(`${path} is not a postcode lookup: it needs the columns pcds (or pcd), lat and long`);
      }
      const postcode = normalisePostcode(row.pcds ?? row.pcd ?? '');
      if (postcode === null) {
        counts.skippedNotPostcodes += 1;
        continue;
      }
      const place = coordinates(row.lat, row.long);
      if (place === null) {
        counts.skippedWithoutCoordinates += 1;
        continue;
      }
      if (!batch.has(postcode)) counts.loaded += 1;
      batch.set(postcode, { postcode, ...place });
      if (batch.size >= batchSize) await flush();
    }
    if (!checkedHeader) throw new PostcodeFileError(`${path} has no rows`);
    await flush();
  });
  return counts;
}

/** A postcode's centroid, or undefined when the lookup does not hold it. */
export async function postcodePlace(db: Kysely<Schema>, postcode: string): Promise<{ latitude: number; longitude: number } | undefined> {
  const standard = normalisePostcode(postcode);
  if (standard === null) return undefined;
  return db.selectFrom('directory_postcode').select(['latitude', 'longitude']).where('postcode', '=', standard).executeTakeFirst();
}

/** Great-circle distance in metres between two points (haversine, on a sphere of the Earth's mean radius 6,371 km). */
const radians = (degrees: number) => (degrees * Math.PI) / 180;

/** The great-circle distance in metres between two points (latitude and longitude in degrees), as the database's distanceSql measures it. */
export function haversineMetres(fromLatitude: number, fromLongitude: number, toLatitude: number, toLongitude: number): number {
  const dLat = radians(toLatitude - fromLatitude);
  const dLong = radians(toLongitude - fromLongitude);
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(radians(fromLatitude)) * Math.cos(radians(toLatitude)) * Math.sin(dLong / 2) ** 2;
  return 2 * 6_371_000 * Math.asin(Math.min(1, Math.sqrt(h)));
}
