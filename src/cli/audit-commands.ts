import type { Command } from 'commander';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { verifyAuditChain } from '../auth/audit.js';
import type { FoundCheckpoint } from '../auth/audit-checkpoints.js';
import { appendCheckpoint, checkAgainstCheckpoints, checkpointFile, readCheckpoints, takeCheckpoint } from '../auth/audit-checkpoints.js';
import { openDatabase } from '../db/database.js';
import { configWith } from './program.js';

/** The chain does not verify: someone changed the log outside the application. */
export class AuditChainBrokenError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AuditChainBrokenError';
  }
}

export function registerAuditCommands(program: Command): void {
  const audit = program.command('audit').description('the audit log of sign-ins, permission changes, imports, exports and child-level reads');

  audit
    .command('verify')
    .description('recompute the keyed chain of the audit log, hold it against signed checkpoints, and report the first problem')
    .option('--checkpoint <file>', `a file of checkpoints from "ntg audit checkpoint" (repeatable); the service's own ${checkpointFile} in the data folder is always used when present`, collect, [])
    .action(async (options: { checkpoint: string[] }) => {
      const config = configWith({});
      const files = [...options.checkpoint];
      const serviceCheckpoints = join(config.dataDir, checkpointFile);
      if (existsSync(serviceCheckpoints)) files.push(serviceCheckpoints);
      const checkpoints: FoundCheckpoint[] = [];
      for (const file of files) {
        try {
          checkpoints.push(...(await readCheckpoints(file)));
        } catch (error) {
          throw new AuditChainBrokenError(`Cannot read the checkpoints in ${file}: ${(error as Error).message}.`);
        }
      }
      const database = await openDatabase(config);
      try {
        const result = await verifyAuditChain(database.db);
        if (!result.ok) {
          throw new AuditChainBrokenError(
            `The audit log has been tampered with: ${result.reason ?? 'a link does not match'}. The ${result.entries} entries before it verify.`,
          );
        }
        const problem = await checkAgainstCheckpoints(database.db, result.entries, checkpoints);
        if (problem !== undefined) throw new AuditChainBrokenError(`The audit log has been tampered with: ${problem}.`);
        const unkeyed = result.unkeyed ? ` (the first ${result.unkeyed}, written before the chain was keyed, by SHA-256 only)` : '';
        const held = checkpoints.length === 0 ? '' : ` Consistent with ${checkpoints.length} checkpoint${checkpoints.length === 1 ? '' : 's'}.`;
        console.log(`Audit log intact: ${result.entries} entr${result.entries === 1 ? 'y' : 'ies'} verified${unkeyed}.${held}`);
      } finally {
        await database.close();
      }
    });

  audit
    .command('checkpoint')
    .description('print a signed checkpoint of the audit log (its length and last hash), to keep somewhere the database cannot reach')
    .option('--out <file>', 'also append the checkpoint to this file (one JSON line each), for "ntg audit verify --checkpoint"')
    .action(async (options: { out?: string }) => {
      const database = await openDatabase(configWith({}));
      try {
        const checkpoint = await takeCheckpoint(database.db);
        if (options.out !== undefined) await appendCheckpoint(options.out, checkpoint);
        console.log(JSON.stringify(checkpoint));
      } finally {
        await database.close();
      }
    });
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}
