/**
 * A PostgreSQL client that has the server prepare the statements it sends often, as pgJDBC does:
 * a statement text sent `prepareAfter` times on a connection is named, so the server parses and
 * plans it once for that connection instead of on every use. Planning was most of the server's work
 * for the small queries behind each page (a third of a millisecond to plan, a tenth to run).
 * Each connection keeps at most `keep` prepared statements and releases the least recently used,
 * so statements whose text varies (an `in` list of any length) cannot fill the server's memory.
 */
import type { ClientConfig, QueryConfig } from 'pg';
import pg from 'pg';

export interface PreparingConfig extends ClientConfig {
  /** How many times a text is sent before it is prepared (default 5, as pgJDBC). */
  prepareAfter?: number;
  /** The most statements a connection keeps prepared (default 200). */
  preparedLimit?: number;
}

interface ParsedStatements {
  connection?: { parsedStatements?: Record<string, unknown> };
}

export class PreparingClient extends pg.Client {
  private readonly uses = new Map<string, number>();
  private readonly prepared = new Map<string, string>();
  private nextName = 0;
  private readonly prepareAfter: number;
  private readonly keep: number;

  constructor(config: PreparingConfig = {}) {
    super(config);
    this.prepareAfter = config.prepareAfter ?? 5;
    this.keep = config.preparedLimit ?? 200;
  }

  // pg's query() has many overloads; this one is what Kysely calls: a text and its values.
  override query(...args: unknown[]): never {
    const [text, values] = args;
    if (typeof text === 'string' && Array.isArray(values) && args.length === 2) {
      const name = this.nameFor(text);
      if (name !== undefined) return super.query({ name, text, values } satisfies QueryConfig) as never;
    }
    return (super.query as (...parameters: unknown[]) => never)(...args);
  }

  private nameFor(text: string): string | undefined {
    const name = this.prepared.get(text);
    if (name !== undefined) {
      this.prepared.delete(text);
      this.prepared.set(text, name);
      return name;
    }
    const uses = (this.uses.get(text) ?? 0) + 1;
    if (uses < this.prepareAfter) {
      this.uses.set(text, uses);
      if (this.uses.size > this.keep * 4) this.uses.delete(this.uses.keys().next().value!);
      return undefined;
    }
    this.uses.delete(text);
    const fresh = `ntg_${(this.nextName++).toString(36)}`;
    this.prepared.set(text, fresh);
    if (this.prepared.size > this.keep) this.release(this.prepared.keys().next().value!);
    return fresh;
  }

  private release(text: string): void {
    const name = this.prepared.get(text)!;
    this.prepared.delete(text);
    // pg remembers which names it has parsed on this connection; forget it there and on the server.
    delete (this as unknown as ParsedStatements).connection?.parsedStatements?.[name];
    super.query(`deallocate ${name}`).catch(() => undefined);
  }
}
