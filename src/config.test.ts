import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, redactUrl } from './config.js';

describe('loadConfig', () => {
  it('logs readable lines unless in production, where it logs JSON; LOG_FORMAT decides when set', () => {
    expect(loadConfig({}).logFormat).toBe('pretty');
    expect(loadConfig({ NODE_ENV: 'production' }).logFormat).toBe('json');
    expect(loadConfig({ NODE_ENV: 'production', LOG_FORMAT: 'pretty' }).logFormat).toBe('pretty');
    expect(loadConfig({ LOG_FORMAT: 'json' }).logFormat).toBe('json');
    expect(() => loadConfig({ LOG_FORMAT: 'yaml' })).toThrow('LOG_FORMAT must be json or pretty (got "yaml").');
  });

  it('gives the documented defaults when nothing is set', () => {
    expect(loadConfig({})).toEqual({
      port: 3000,
      host: '127.0.0.1',
      databaseUrl: undefined,
      databasePoolMax: 10,
      dataDir: './.ntg',
      logLevel: 'info',
      logFormat: 'pretty',
      trustProxy: false,
      publicUrl: 'http://localhost:3000',
      smtpUrl: undefined,
      mailFrom: 'Narrowing the Gap <no-reply@localhost>',
      demo: false,
      demoChildren: 60_000,
      uploadLimitBytes: 200 * 1_048_576,
      evidenceLimitBytes: 10 * 1_048_576,
      oidc: undefined,
      pseudonymKey: undefined,
      chromiumPath: '/usr/bin/chromium',
      auditKey: undefined,
      auditCheckpointMinutes: 60,
      readLimits: { maxUncompressedBytes: 2048 * 1_048_576, maxSharedStringsBytes: 200 * 1_048_576, maxCellCharacters: 100_000 },
    });
  });

  it('reads every variable from the environment', () => {
    const config = loadConfig({
      PORT: '8080',
      HOST: '0.0.0.0',
      DATABASE_URL: 'postgres://ntg:secret@db.internal:5432/ntg',
      DATABASE_POOL_MAX: '20',
      NTG_DATA_DIR: '/var/lib/ntg',
      LOG_LEVEL: 'warn',
      NTG_TRUST_PROXY: 'true',
      NTG_PUBLIC_URL: 'https://ntg.example.gov.uk/',
      NTG_SMTP_URL: 'smtps://ntg:secret@smtp.example.gov.uk:465',
      NTG_MAIL_FROM: 'Narrowing the Gap <ntg@example.gov.uk>',
      NTG_DEMO: 'false',
      NTG_UPLOAD_LIMIT_MB: '50',
      NTG_OIDC_ISSUER: 'https://login.example.gov.uk/tenant/v2.0',
      NTG_OIDC_CLIENT_ID: 'ntg',
      NTG_OIDC_CLIENT_SECRET: 'client-secret',
      NTG_OIDC_LABEL: 'Example Council account',
      NTG_DEMO_CHILDREN: '2000',
      NTG_PSEUDONYM_KEY: 'a-secret-of-at-least-thirty-two-characters',
      NTG_CHROMIUM_PATH: '/opt/chrome/chrome',
      NTG_AUDIT_KEY: 'another-secret-of-at-least-thirty-two-characters',
      NTG_AUDIT_CHECKPOINT_MINUTES: '15',
      NTG_XLSX_MAX_UNCOMPRESSED_MB: '512',
      NTG_XLSX_MAX_SHARED_STRINGS_MB: '64',
      NTG_MAX_CELL_CHARACTERS: '5000',
    });
    expect(config).toEqual({
      port: 8080,
      host: '0.0.0.0',
      databaseUrl: 'postgres://ntg:secret@db.internal:5432/ntg',
      databasePoolMax: 20,
      dataDir: '/var/lib/ntg',
      logLevel: 'warn',
      logFormat: 'pretty',
      trustProxy: true,
      publicUrl: 'https://ntg.example.gov.uk',
      smtpUrl: 'smtps://ntg:secret@smtp.example.gov.uk:465',
      mailFrom: 'Narrowing the Gap <ntg@example.gov.uk>',
      demo: false,
      demoChildren: 2000,
      uploadLimitBytes: 50 * 1_048_576,
      evidenceLimitBytes: 10 * 1_048_576,
      oidc: { issuer: 'https://login.example.gov.uk/tenant/v2.0', clientId: 'ntg', clientSecret: 'client-secret', label: 'Example Council account' },
      pseudonymKey: 'a-secret-of-at-least-thirty-two-characters',
      chromiumPath: '/opt/chrome/chrome',
      auditKey: 'another-secret-of-at-least-thirty-two-characters',
      auditCheckpointMinutes: 15,
      readLimits: { maxUncompressedBytes: 512 * 1_048_576, maxSharedStringsBytes: 64 * 1_048_576, maxCellCharacters: 5000 },
    });
  });

  it('never repeats a secret back in its message', () => {
    expect(() => loadConfig({ NTG_PSEUDONYM_KEY: 'too-short-secret' })).toThrow('NTG_PSEUDONYM_KEY must be a secret of at least 32 characters (for example: openssl rand -hex 32).');
    expect(() => loadConfig({ NTG_PSEUDONYM_KEY: 'too-short-secret' })).not.toThrow(/too-short-secret/);
    expect(() => loadConfig({ NTG_AUDIT_KEY: 'too-short-secret' })).toThrow('NTG_AUDIT_KEY must be a secret of at least 32 characters (for example: openssl rand -hex 32).');
  });

  it('treats an empty variable as unset', () => {
    expect(loadConfig({ PORT: '', DATABASE_URL: '' }).port).toBe(3000);
    expect(loadConfig({ DATABASE_URL: '' }).databaseUrl).toBeUndefined();
  });

  it.each([
    ['PORT', 'abc', 'PORT must be a whole number from 1 to 65535 (got "abc").'],
    ['PORT', '70000', 'PORT must be a whole number from 1 to 65535 (got "70000").'],
    ['PORT', '3.5', 'PORT must be a whole number from 1 to 65535 (got "3.5").'],
    ['LOG_LEVEL', 'loud', 'LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent (got "loud").'],
    ['NTG_TRUST_PROXY', 'maybe', 'NTG_TRUST_PROXY must be true or false (got "maybe").'],
    ['DATABASE_POOL_MAX', '0', 'DATABASE_POOL_MAX must be a whole number from 1 to 100 (got "0").'],
    ['NTG_DEMO', 'sometimes', 'NTG_DEMO must be true or false (got "sometimes").'],
    ['NTG_PUBLIC_URL', 'ntg.example', 'NTG_PUBLIC_URL must be the address people use to reach the service, such as https://ntg.example.gov.uk (got "ntg.example").'],
    ['NTG_AUDIT_CHECKPOINT_MINUTES', 'hourly', 'NTG_AUDIT_CHECKPOINT_MINUTES must be a whole number of minutes from 0 to 10080 (got "hourly").'],
  ])('rejects %s=%s with one line naming the variable', (name, value, message) => {
    expect(() => loadConfig({ [name]: value })).toThrow(new ConfigError(message));
  });

  it('refuses single sign-on configured in part, naming what is missing', () => {
    expect(() => loadConfig({ NTG_OIDC_ISSUER: 'https://login.example.gov.uk' })).toThrow(
      'NTG_OIDC_CLIENT_ID and NTG_OIDC_CLIENT_SECRET must be set too: single sign-on needs NTG_OIDC_ISSUER, NTG_OIDC_CLIENT_ID and NTG_OIDC_CLIENT_SECRET.',
    );
  });

  it('rejects a DATABASE_URL that is not a PostgreSQL URL without printing its password', () => {
    expect(() => loadConfig({ DATABASE_URL: 'mysql://user:hunter2@host/db' })).toThrow(
      'DATABASE_URL must be a PostgreSQL connection URL such as postgres://user:password@host:5432/database (got "mysql://user:*****@host/db").',
    );
  });
});

describe('redactUrl', () => {
  it('hides the password of a connection URL', () => {
    expect(redactUrl('postgres://ntg:s3cret@localhost:5432/ntg')).toBe('postgres://ntg:*****@localhost:5432/ntg');
  });
});
