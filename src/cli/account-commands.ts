import { Option } from 'commander';
import type { Command } from 'commander';
import { AdminInputError, normaliseEmail, recordInvitation } from '../auth/admin.js';
import { englandCode } from '../auth/organisations.js';
import { roles } from '../auth/permissions.js';
import type { Role } from '../auth/permissions.js';
import { openDatabase } from '../db/database.js';
import { prepareDatabase } from '../service.js';
import { UsageError, configWith } from './program.js';

/** Roles held in the national team unless another organisation is named. */
const nationalRoles: readonly Role[] = ['platform-admin', 'national-moderator', 'practice-reviewer'];

export function registerAccountCommands(program: Command): void {
  const accounts = program.command('accounts').description('accounts and roles, for the operator (no sign-in needed)');

  accounts
    .command('invite')
    .description('invite a person to a role and print their single-use link (how the first administrator is made)')
    .requiredOption('--email <email>', 'their email address')
    .requiredOption('--name <name>', 'their name')
    .addOption(new Option('--role <role>', 'the role to grant').choices([...roles]).makeOptionMandatory())
    .option('--organisation <code>', 'where the role is held: "england", a region or authority GSS code, or a setting URN (default: england for national roles)')
    .action(async (options: { email: string; name: string; role: Role; organisation?: string }) => {
      let email: string;
      try {
        email = normaliseEmail(options.email);
      } catch (error) {
        throw new UsageError(error instanceof AdminInputError ? `--email: ${error.message}` : String(error));
      }
      const code = options.organisation ?? (nationalRoles.includes(options.role) ? 'england' : undefined);
      if (code === undefined) throw new UsageError(`--organisation is needed for the ${options.role} role: an authority GSS code such as E08000035, a region code, or a setting URN`);
      const config = configWith({});
      const database = await openDatabase(config);
      try {
        await prepareDatabase(database, config);
        const organisation = await database.db
          .selectFrom('organisation')
          .select(['id', 'name'])
          .$call((query) => (/^\d{6}$/.test(code) ? query.where('urn', '=', code) : query.where('area_code', '=', code.toLowerCase() === 'england' ? englandCode : code.toUpperCase())))
          .executeTakeFirst();
        if (organisation === undefined) throw new UsageError(`--organisation: no organisation has the code ${code}`);
        const recorded = await recordInvitation(database.db, { email, name: options.name.trim(), organisation, role: options.role }, undefined, null);
        console.log(recorded.invited ? `Invited ${email} as ${options.role} in ${organisation.name}.` : `${email} now also holds ${options.role} in ${organisation.name}.`);
        if (recorded.token !== undefined) console.log(`Send them this link; it works once, for 72 hours:\n${config.publicUrl}/invitation/${recorded.token}`);
      } finally {
        await database.close();
      }
    });
}
