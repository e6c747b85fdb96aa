import type { Command } from 'commander';
import { verifyAuditChain } from '../auth/audit.js';
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
    .description('recompute the hash chain of the audit log and report the first entry that was altered')
    .action(async () => {
      const database = await openDatabase(configWith({}));
      try {
        const result = await verifyAuditChain(database.db);
        if (result.ok) {
          console.log(`Audit log intact: ${result.entries} entr${result.entries === 1 ? 'y' : 'ies'} verified.`);
          return;
        }
        throw new AuditChainBrokenError(
          `The audit log has been tampered with: ${result.reason ?? 'a link does not match'}. The ${result.entries} entries before it verify.`,
        );
      } finally {
        await database.close();
      }
    });
}
