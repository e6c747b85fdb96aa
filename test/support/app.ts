import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance, FastifyServerOptions } from 'fastify';
import { loadConfig } from '../../src/config.js';
import type { Engine } from '../../src/db/database.js';
import { prepareDatabase } from '../../src/service.js';
import type { Capability } from '../../src/web/capability.js';
import { buildApp } from '../../src/web/app.js';
import { capabilities as serviceCapabilities } from '../../src/capabilities.js';
import { createTestDatabase } from './database.js';
import type { TestDatabase } from './database.js';

export interface TestApp {
  app: FastifyInstance;
  database: TestDatabase;
  close(): Promise<void>;
}

/** The real application on a fresh, migrated database, with extra capabilities if a test needs them. */
export async function createTestApp(
  options: { engine?: Engine; extraCapabilities?: Capability[]; logger?: FastifyServerOptions['logger']; environment?: Record<string, string> } = {},
): Promise<TestApp> {
  const database = await createTestDatabase(options.engine ?? 'pglite');
  // Uploads and kept files go to a folder of the test's own, removed when it closes.
  const dataDir = mkdtempSync(join(tmpdir(), 'ntg-test-data-'));
  // A small demo authority, so demo-mode tests start in seconds.
  // PDFs use the Chromium the browser tests use (NTG_CHROMIUM_PATH when set).
  const config = loadConfig({ NTG_DATA_DIR: dataDir, NTG_DEMO_CHILDREN: '400', NTG_CHROMIUM_PATH: process.env.NTG_CHROMIUM_PATH, ...options.environment });
  const capabilities = [...serviceCapabilities, ...(options.extraCapabilities ?? [])];
  await prepareDatabase(database, config, capabilities);
  const app = await buildApp({
    config,
    database,
    capabilities,
    logger: options.logger ?? false,
  });
  return {
    app,
    database,
    close: async () => {
      await app.close();
      await database.dispose();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
