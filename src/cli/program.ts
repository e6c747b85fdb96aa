import { Command, CommanderError, InvalidArgumentError } from 'commander';
import { ConfigError, loadConfig } from '../config.js';
import { DatabaseOpenError } from '../db/database.js';
import { MigrationError } from '../db/migrate.js';
import { ListenError } from '../service.js';
import { version } from '../version.js';
import { registerAccountCommands } from './account-commands.js';
import { registerAssessmentCommands } from './assessment-commands.js';
import { registerChildrenCommands } from './children-commands.js';
import { AuditChainBrokenError, registerAuditCommands } from './audit-commands.js';
import { AuditHardeningError, registerDatabaseCommands } from './db-commands.js';
import { DisclosureRefusedError, registerGapsCommand } from './gaps-commands.js';
import { registerDemoCommands } from './demo-commands.js';
import { registerDirectoryCommands } from './directory-commands.js';
import { ImportFileError, ImportRefusedError, registerImportCommands } from './import-commands.js';
import { ExportWriteError, registerFrameworkCommands } from './framework-commands.js';
import { registerPracticeCommands } from './practice-commands.js';
import { RemindersNotSentError, registerPlansCommands } from './plans-commands.js';
import { registerServeCommand } from './serve-command.js';
import { registerStatsCommands } from './stats-commands.js';

/** The command line asked for something that cannot be: printed as one line, exit code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** Exit codes: 0 done, 1 the work failed, 2 the command line was wrong. */
export const exitCodes = { ok: 0, failed: 1, usage: 2 } as const;

/** Errors whose message is complete for an operator: printed as one line, no stack. */
const expectedErrors = [ConfigError, DatabaseOpenError, MigrationError, ListenError, InvalidArgumentError, ExportWriteError, AuditChainBrokenError, AuditHardeningError, ImportFileError, ImportRefusedError, DisclosureRefusedError, RemindersNotSentError];

export function buildProgram(): Command {
  const program = new Command('ntg')
    .description('Narrowing the Gap: measure and close the gap in outcomes between vulnerable children and the rest.')
    .version(version, '-v, --version', 'print the version')
    .helpOption('-h, --help', 'show help for a command')
    .showHelpAfterError('(run ntg --help for usage)')
    .exitOverride()
    // A command's options end where its subcommand begins, so `ntg gaps curves --la` is the subcommand's --la, not the matrix's.
    .enablePositionalOptions();
  registerServeCommand(program);
  registerDatabaseCommands(program);
  registerStatsCommands(program);
  registerFrameworkCommands(program);
  registerAuditCommands(program);
  registerAccountCommands(program);
  registerDemoCommands(program);
  registerImportCommands(program);
  registerGapsCommand(program);
  registerChildrenCommands(program);
  registerAssessmentCommands(program);
  registerPracticeCommands(program);
  registerPlansCommands(program);
  registerDirectoryCommands(program);
  program.commands.forEach(applyExitOverride);
  return program;
}

function applyExitOverride(command: Command): void {
  command.exitOverride().showHelpAfterError(`(run ntg ${command.name()} --help for usage)`);
  command.commands.forEach(applyExitOverride);
}

/** Runs the command line and returns the exit code, never throwing. */
export async function runCli(argv: string[]): Promise<number> {
  const program = buildProgram();
  if (argv.length === 0) {
    program.outputHelp({ error: true });
    return exitCodes.usage;
  }
  try {
    await program.parseAsync(argv, { from: 'user' });
    return exitCodes.ok;
  } catch (error) {
    if (error instanceof UsageError) {
      console.error(`ntg: ${error.message}`);
      return exitCodes.usage;
    }
    if (error instanceof CommanderError) {
      // Help or the version asked for exits 0; help shown because a subcommand is missing does not.
      return error.exitCode === 0 ? exitCodes.ok : exitCodes.usage;
    }
    if (expectedErrors.some((kind) => error instanceof kind)) {
      console.error(`ntg: ${(error as Error).message}`);
    } else {
      console.error('ntg: unexpected error:', error);
    }
    return exitCodes.failed;
  }
}

/** Configuration from the environment, with command-line options taking precedence. */
export function configWith(overrides: Record<string, string | undefined>) {
  const environment = { ...process.env };
  for (const [name, value] of Object.entries(overrides)) if (value !== undefined) environment[name] = value;
  return loadConfig(environment);
}
