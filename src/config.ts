import { z } from 'zod';

/**
 * Every setting comes from the environment and is checked once, at start-up, so a mistake stops the
 * process with one line naming the variable rather than failing later in a request.
 * Documented for operators in docs/configuration.md: keep the two in step.
 */
const logLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** A whole number in a range, with one message for every way of missing it. */
function wholeNumber(min: number, max: number, what = 'a whole number') {
  const error = `${what} from ${min} to ${max}`;
  return z.coerce.number({ error }).int({ error }).min(min, { error }).max(max, { error });
}

const port = wholeNumber(1, 65535);

const postgresUrl = z
  .string()
  .trim()
  .refine(
    (value) => {
      try {
        const url = new URL(value);
        return url.protocol === 'postgres:' || url.protocol === 'postgresql:';
      } catch {
        return false;
      }
    },
    { error: 'a PostgreSQL connection URL such as postgres://user:password@host:5432/database' },
  );

const booleanFlag = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'], { error: 'true or false' })
  .transform((value) => value === 'true' || value === '1' || value === 'yes');

const environmentSchema = z.object({
  PORT: port.default(3000),
  HOST: z.string().trim().min(1, { error: 'a host name or IP address to listen on' }).default('127.0.0.1'),
  DATABASE_URL: postgresUrl.optional(),
  DATABASE_POOL_MAX: wholeNumber(1, 100).default(10),
  NTG_DATA_DIR: z.string().trim().min(1, { error: 'a folder path' }).default('./.ntg'),
  LOG_LEVEL: z.enum(logLevels, { error: `one of ${logLevels.join(', ')}` }).default('info'),
  LOG_FORMAT: z.enum(['json', 'pretty'], { error: 'json or pretty' }).optional(),
  NODE_ENV: z.string().optional(),
  NTG_TRUST_PROXY: booleanFlag.default(false),
  NTG_PUBLIC_URL: z
    .string()
    .trim()
    .refine((value) => /^https?:\/\/[^/]+/.test(value), { error: 'the address people use to reach the service, such as https://ntg.example.gov.uk' })
    .optional(),
  NTG_SMTP_URL: z
    .string()
    .trim()
    .refine((value) => /^smtps?:\/\//.test(value), { error: 'an SMTP server URL such as smtps://user:password@smtp.example.org:465' })
    .optional(),
  NTG_MAIL_FROM: z.string().trim().min(3, { error: 'a sender address' }).default('Narrowing the Gap <no-reply@localhost>'),
  NTG_DEMO: booleanFlag.default(false),
  NTG_OIDC_ISSUER: z
    .string()
    .trim()
    .refine((value) => /^https:\/\/|^http:\/\/(localhost|127\.0\.0\.1)(:|\/|$)/.test(value), { error: 'the HTTPS address of an OpenID Connect issuer, such as https://login.microsoftonline.com/<tenant>/v2.0' })
    .optional(),
  NTG_OIDC_CLIENT_ID: z.string().trim().min(1).optional(),
  NTG_OIDC_CLIENT_SECRET: z.string().trim().min(1).optional(),
  NTG_OIDC_LABEL: z.string().trim().min(1).default('your organisation’s account'),
  NTG_UPLOAD_LIMIT_MB: wholeNumber(1, 10240, 'a whole number of megabytes').default(200),
  NTG_EVIDENCE_LIMIT_MB: wholeNumber(1, 100, 'a whole number of megabytes from 1 to 100').default(10),
  NTG_DEMO_CHILDREN: wholeNumber(100, 500_000, 'a whole number of children').default(60_000),
  NTG_CHROMIUM_PATH: z.string().trim().min(1, { error: 'the path of a Chromium or Chrome executable' }).default('/usr/bin/chromium'),
  NTG_PSEUDONYM_KEY: z.string().trim().min(32, { error: 'a secret of at least 32 characters (for example: openssl rand -hex 32)' }).optional(),
  NTG_AUDIT_KEY: z.string().trim().min(32, { error: 'a secret of at least 32 characters (for example: openssl rand -hex 32)' }).optional(),
  NTG_AUDIT_CHECKPOINT_MINUTES: wholeNumber(0, 10_080, 'a whole number of minutes').default(60),
  NTG_XLSX_MAX_UNCOMPRESSED_MB: wholeNumber(1, 65_536, 'a whole number of megabytes').default(2048),
  NTG_XLSX_MAX_SHARED_STRINGS_MB: wholeNumber(1, 4096, 'a whole number of megabytes').default(200),
  NTG_MAX_CELL_CHARACTERS: wholeNumber(100, 10_000_000, 'a whole number of characters').default(100_000),
});

/** Never repeated back in an error message. */
const secretVariables = new Set(['NTG_PSEUDONYM_KEY', 'NTG_OIDC_CLIENT_SECRET', 'NTG_AUDIT_KEY']);

export type LogLevel = (typeof logLevels)[number];

export interface Config {
  port: number;
  host: string;
  /** Unset means the embedded PostgreSQL (PGlite) in `dataDir`. */
  databaseUrl: string | undefined;
  databasePoolMax: number;
  dataDir: string;
  logLevel: LogLevel;
  /** JSON lines (production, log collectors) or one readable line per entry (a terminal). */
  logFormat: 'json' | 'pretty';
  /** Behind a TLS-terminating proxy: trust X-Forwarded-* and treat requests as HTTPS. */
  trustProxy: boolean;
  /** Where people reach the service: the start of links in emails. */
  publicUrl: string;
  /** Unset: messages stay in the outbox (shown at /outbox in demo mode). */
  smtpUrl: string | undefined;
  mailFrom: string;
  /** Demo mode: seeded demo accounts listed on the sign-in page. Never on for real data. */
  demo: boolean;
  /** Children on roll each year in the generated demo authority (demo mode only). */
  demoChildren: number;
  /** Largest file an upload may carry, in bytes. */
  uploadLimitBytes: number;
  /** Largest evidence file attached to an assessment, in bytes (kept in the database). */
  evidenceLimitBytes: number;
  /** Single sign-on with an OpenID Connect provider (a council's Entra ID, say), when configured. */
  oidc: OidcConfig | undefined;
  /** The key child identifiers are pseudonymised with. Unset: demo mode keeps a generated one in the data folder. */
  pseudonymKey: string | undefined;
  /** The Chromium that prints board reports as PDF. */
  chromiumPath: string;
  /** The key the audit log's chain and checkpoints are signed with. Unset: one generated in the data folder. */
  auditKey: string | undefined;
  /** How often the service writes a signed checkpoint of the audit log to the data folder; 0 never. */
  auditCheckpointMinutes: number;
  /** How much an uploaded or imported file may hold once read: see src/ingest/workbook-guard.ts. */
  readLimits: ReadLimits;
}

/** Caps applied while a file is read, so a small file cannot make the service hold gigabytes. */
export interface ReadLimits {
  /** An Excel workbook's parts together, unpacked. */
  maxUncompressedBytes: number;
  /** A workbook's shared strings, unpacked (held in memory while its sheet is read). */
  maxSharedStringsBytes: number;
  /** The longest value a cell (CSV or XLSX) may hold. */
  maxCellCharacters: number;
}

export interface OidcConfig {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** How the sign-in page names the provider: "Sign in with …". */
  label: string;
}

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

/** Reads and checks the configuration; throws a ConfigError naming the first bad variable. */
export function loadConfig(environment: NodeJS.ProcessEnv = process.env): Config {
  const present = Object.fromEntries(
    Object.keys(environmentSchema.shape)
      .filter((name) => environment[name] !== undefined && environment[name] !== '')
      .map((name) => [name, environment[name]]),
  );
  const parsed = environmentSchema.safeParse(present);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const variable = String(issue?.path[0] ?? 'configuration');
    const given = present[variable];
    if (secretVariables.has(variable)) throw new ConfigError(`${variable} must be ${issue?.message ?? 'valid'}.`);
    const shown = variable === 'DATABASE_URL' || variable === 'NTG_SMTP_URL' ? redactUrl(String(given)) : String(given);
    throw new ConfigError(`${variable} must be ${issue?.message ?? 'valid'} (got "${shown}").`);
  }
  const env = parsed.data;
  return {
    port: env.PORT,
    host: env.HOST,
    databaseUrl: env.DATABASE_URL,
    databasePoolMax: env.DATABASE_POOL_MAX,
    dataDir: env.NTG_DATA_DIR,
    logLevel: env.LOG_LEVEL,
    logFormat: env.LOG_FORMAT ?? (env.NODE_ENV === 'production' ? 'json' : 'pretty'),
    trustProxy: env.NTG_TRUST_PROXY,
    publicUrl: (env.NTG_PUBLIC_URL ?? `http://localhost:${env.PORT}`).replace(/\/+$/, ''),
    smtpUrl: env.NTG_SMTP_URL,
    mailFrom: env.NTG_MAIL_FROM,
    demo: env.NTG_DEMO,
    demoChildren: env.NTG_DEMO_CHILDREN,
    uploadLimitBytes: env.NTG_UPLOAD_LIMIT_MB * 1_048_576,
    evidenceLimitBytes: env.NTG_EVIDENCE_LIMIT_MB * 1_048_576,
    oidc: oidcConfig(env),
    pseudonymKey: env.NTG_PSEUDONYM_KEY,
    chromiumPath: env.NTG_CHROMIUM_PATH,
    auditKey: env.NTG_AUDIT_KEY,
    auditCheckpointMinutes: env.NTG_AUDIT_CHECKPOINT_MINUTES,
    readLimits: {
      maxUncompressedBytes: env.NTG_XLSX_MAX_UNCOMPRESSED_MB * 1_048_576,
      maxSharedStringsBytes: env.NTG_XLSX_MAX_SHARED_STRINGS_MB * 1_048_576,
      maxCellCharacters: env.NTG_MAX_CELL_CHARACTERS,
    },
  };
}

function oidcConfig(env: z.infer<typeof environmentSchema>): OidcConfig | undefined {
  const given = { NTG_OIDC_ISSUER: env.NTG_OIDC_ISSUER, NTG_OIDC_CLIENT_ID: env.NTG_OIDC_CLIENT_ID, NTG_OIDC_CLIENT_SECRET: env.NTG_OIDC_CLIENT_SECRET };
  const missing = Object.entries(given).filter(([, value]) => value === undefined).map(([name]) => name);
  if (missing.length === 3) return undefined;
  if (missing.length > 0) throw new ConfigError(`${missing.join(' and ')} must be set too: single sign-on needs NTG_OIDC_ISSUER, NTG_OIDC_CLIENT_ID and NTG_OIDC_CLIENT_SECRET.`);
  return { issuer: given.NTG_OIDC_ISSUER ?? '', clientId: given.NTG_OIDC_CLIENT_ID ?? '', clientSecret: given.NTG_OIDC_CLIENT_SECRET ?? '', label: env.NTG_OIDC_LABEL };
}

/** A connection URL safe to print: the password replaced. */
export function redactUrl(value: string): string {
  try {
    const url = new URL(value);
    if (url.password) url.password = '*****';
    return url.toString();
  } catch {
    return '(unparseable URL)';
  }
}
