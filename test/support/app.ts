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
  const config = loadConfig(options.environment ?? {});
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
    },
  };
}
