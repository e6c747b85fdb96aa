import type { FastifyInstance } from 'fastify';
import type { Database } from '../db/database.js';
import type { Config } from '../config.js';
import type { Action } from '../auth/permissions.js';

/** An entry in the header navigation. Lower `order` comes first. */
export interface NavigationItem {
  text: string;
  href: string;
  order: number;
  /** Shown only to viewers who may open it; public when unset. */
  permission?: Action;
}

/** A link in the `/api/v1` index. */
export interface ApiLink {
  rel: string;
  href: string;
  title: string;
}

/** What a capability's routes are given: only the shared plumbing, never another capability. */
export interface AppContext {
  config: Config;
  database: Database;
}

/**
 * A capability (framework, gaps, assessment, ...) plugs into the web app by describing itself:
 * its navigation entry, its template folder, its API links and its routes. `app.ts` registers
 * each one, so adding a capability never means editing the layout.
 */
export interface Capability {
  name: string;
  /** Entries in the header navigation. */
  navigation?: NavigationItem[];
  /** Absolute path of the capability's Nunjucks templates, if it has pages. */
  viewsDirectory?: string;
  apiLinks?: ApiLink[];
  /** Loads the capability's reference data after migrations (idempotent: run on every start). */
  afterMigrate?(database: Database, config: Config): Promise<void>;
  registerRoutes(app: FastifyInstance, context: AppContext): void | Promise<void>;
}
