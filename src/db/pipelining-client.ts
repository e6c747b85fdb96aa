/**
 * A PostgreSQL client that sends the opening statements of a transaction with the first statement
 * that reads, in one write and one round trip, instead of waiting for each. A scoped read was four
 * round trips (begin, the scope's settings, the read, commit), and on the servers measured each
 * round trip cost the service about 0.15 ms of its one thread in system calls alone
 * (bench/tracking.bench.ts): a fifth of a work list page's time.
 *
 * The client runs in pg's pipeline mode (queries are written without waiting for the answers
 * before them; https://node-postgres.com/features/pipelining). `begin`, and any statement whose
 * text starts with `sentWithNextStatement`, answers at once with no rows and is written to the
 * server with the next statement. Its failure is that statement's failure: inside a transaction,
 * PostgreSQL refuses every statement after a failed one, so nothing runs without what was deferred.
 * pg refuses COPY and cursors in pipeline mode; bulk loads use a pool of ordinary clients.
 */
import type { QueryResult } from 'pg';
import { PreparingClient } from './prepared-statements.js';
import type { PreparingConfig } from './prepared-statements.js';

/** Starts a statement that may be sent with the next one (its result is never read). */
export const sentWithNextStatement = '/* sent with the next statement */ ';

interface Corkable {
  connection?: { stream?: { cork(): void; uncork(): void } };
}

const deferredAnswer = { command: 'SELECT', rowCount: 0, rows: [], fields: [], oid: 0 } as unknown as QueryResult;

export class PipeliningClient extends PreparingClient {
  private deferred: Promise<unknown>[] = [];
  private corked = false;

  constructor(config: PreparingConfig = {}) {
    super({ ...config, pipeline: true });
  }

  override query(...args: unknown[]): never {
    const [text] = args;
    const deferrable = typeof text === 'string' && args.length <= 2 && (text === 'begin' || text.startsWith(sentWithNextStatement));
    if (deferrable) {
      // Held in the socket until the next statement is written, so both leave in one write.
      this.cork();
      const sent = (super.query as (...parameters: unknown[]) => Promise<unknown>)(...args);
      sent.catch(() => undefined);
      this.deferred.push(sent);
      return Promise.resolve(deferredAnswer) as never;
    }
    const result = (super.query as (...parameters: unknown[]) => unknown)(...args);
    this.uncork();
    if (this.deferred.length === 0 || !(result instanceof Promise)) return result as never;
    const before = this.deferred;
    this.deferred = [];
    // The deferred statements' own error, if one failed, rather than "the transaction is aborted".
    return Promise.all([...before, result as Promise<unknown>]).then((answers): unknown => answers.at(-1)) as never;
  }

  private cork(): void {
    if (this.corked) return;
    const stream = (this as unknown as Corkable).connection?.stream;
    if (stream === undefined) return;
    stream.cork();
    this.corked = true;
    // Never held past this turn of the event loop, whatever follows.
    setImmediate(() => this.uncork());
  }

  private uncork(): void {
    if (!this.corked) return;
    this.corked = false;
    (this as unknown as Corkable).connection?.stream?.uncork();
  }
}
