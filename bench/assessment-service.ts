/**
 * The service for the assessments benchmark, in its own process as in production:
 * `node --import tsx bench/assessment-service.ts <database-url> <port> <data-dir>`. It serves every
 * capability the service registers, and the assessment capability too until src/capabilities.ts
 * lists it (so the API routes can be measured on a branch where it is not listed yet).
 */
import { capabilities } from '../src/capabilities.js';
import { assessmentCapability } from '../src/assessment/capability.js';
import { loadConfig } from '../src/config.js';
import { openDatabase } from '../src/db/database.js';
import { prepareDatabase } from '../src/service.js';
import { buildApp } from '../src/web/app.js';

const [url, port, dataDir] = process.argv.slice(2) as [string, string, string];
const config = loadConfig({ ...process.env, DATABASE_URL: url, NTG_DATA_DIR: dataDir, LOG_LEVEL: 'warn' });
const served = capabilities.includes(assessmentCapability) ? capabilities : [...capabilities, assessmentCapability];
const database = await openDatabase(config);
await prepareDatabase(database, config, served);
const app = await buildApp({ config, database, capabilities: served, logger: false });
await app.listen({ port: Number(port), host: '127.0.0.1' });
const stop = async () => {
  await app.close();
  await database.close();
  process.exit(0);
};
process.once('SIGTERM', () => void stop());
process.once('SIGINT', () => void stop());
