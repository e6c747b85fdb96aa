import { createHmac } from 'node:crypto';
import { appendFile, mkdir, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Kysely } from 'kysely';
import type { Config } from '../config.js';
import type { Schema } from '../db/schema.js';
import { auditHead, canonicalJson, genesisHash } from './audit.js';
import type { AuditKey } from './audit-key.js';
import { auditKeyFor } from './audit-key.js';
import { safeEqual } from './secrets.js';

/**
 * A signed statement of how long the audit log was and what its last entry's hash was, at a time.
 * The chain alone cannot show that its last entries were removed (what is left still links up);
 * a checkpoint kept somewhere else can: the log must hold at least as many entries, and the entry
 * at that count must have that hash.
 */
export interface AuditCheckpoint {
  kind: 'ntg-audit-checkpoint';
  version: 1;
  entries: number;
  head: string;
  at: string;
  keyId: string;
  /** HMAC-SHA256 under the audit key's checkpoint key of every field above, hex. */
  signature: string;
}

/** Where the service writes its periodic checkpoints, one JSON line each. */
export const checkpointFile = 'audit-checkpoints.jsonl';

function signature(key: AuditKey, checkpoint: Omit<AuditCheckpoint, 'signature'>): string {
  return createHmac('sha256', key.checkpoint).update(canonicalJson(checkpoint)).digest('hex');
}

export async function takeCheckpoint(db: Kysely<Schema>, key?: AuditKey, now = new Date()): Promise<AuditCheckpoint> {
  const auditKey = key ?? (await auditKeyFor(db));
  const { entries, head } = await auditHead(db);
  const unsigned = { kind: 'ntg-audit-checkpoint', version: 1, entries, head, at: now.toISOString(), keyId: auditKey.id } as const;
  return { ...unsigned, signature: signature(auditKey, unsigned) };
}

/** A checkpoint read back, with where it came from for messages ("line 3 of /backup/audit.jsonl"). */
export interface FoundCheckpoint {
  where: string;
  checkpoint?: AuditCheckpoint;
  /** Why the text there is not a checkpoint at all. */
  problem?: string;
}

/** Reads checkpoints from a file of JSON lines (what `ntg audit checkpoint --out` appends) or a JSON array of them. */
export function parseCheckpoints(text: string, source: string): FoundCheckpoint[] {
  const trimmed = text.trim();
  if (trimmed.startsWith('[')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(trimmed);
    } catch {
      return [{ where: source, problem: `${source} is not valid JSON` }];
    }
    return (Array.isArray(parsed) ? parsed : []).map((value, index) => found(value, `checkpoint ${index + 1} of ${source}`));
  }
  return text
    .split('\n')
    .map((line, index) => ({ line: line.trim(), where: `line ${index + 1} of ${source}` }))
    .filter(({ line }) => line !== '')
    .map(({ line, where }) => {
      try {
        return found(JSON.parse(line), where);
      } catch {
        return { where, problem: `${where} is not a checkpoint (not JSON)` };
      }
    });
}

function found(value: unknown, where: string): FoundCheckpoint {
  const candidate = value as Partial<AuditCheckpoint> | null;
  const valid =
    candidate !== null &&
    typeof candidate === 'object' &&
    candidate.kind === 'ntg-audit-checkpoint' &&
    candidate.version === 1 &&
    Number.isSafeInteger(candidate.entries) &&
    (candidate.entries ?? -1) >= 0 &&
    typeof candidate.head === 'string' &&
    typeof candidate.at === 'string' &&
    typeof candidate.keyId === 'string' &&
    typeof candidate.signature === 'string';
  return valid ? { where, checkpoint: candidate as AuditCheckpoint } : { where, problem: `${where} is not a checkpoint` };
}

export async function readCheckpoints(path: string): Promise<FoundCheckpoint[]> {
  return parseCheckpoints(await readFile(path, 'utf8'), path);
}

/**
 * Holds the log against each checkpoint; the first problem, in words for an operator, or undefined.
 * `entries` is how many entries the chain verified (so the log is known to be whole up to there).
 * A checkpoint not signed with this key is refused: anyone can write a file, so an unsigned or
 * forged one proves nothing either way.
 */
export async function checkAgainstCheckpoints(db: Kysely<Schema>, entries: number, checkpoints: readonly FoundCheckpoint[], key?: AuditKey): Promise<string | undefined> {
  const auditKey = key ?? (await auditKeyFor(db));
  for (const { where, checkpoint, problem } of checkpoints) {
    if (checkpoint === undefined) return problem ?? `${where} is not a checkpoint`;
    const { signature: given, ...unsigned } = checkpoint;
    if (checkpoint.keyId !== auditKey.id || !safeEqual(given, signature(auditKey, unsigned))) {
      return `the checkpoint at ${where} is not signed with this service's audit key (it names key ${checkpoint.keyId}; this key is ${auditKey.id}): it is refused as forged or from another installation`;
    }
    if (entries < checkpoint.entries) {
      return `the log has ${entries} entries but the checkpoint at ${where}, taken ${checkpoint.at}, recorded ${checkpoint.entries}: entries ${entries + 1} to ${checkpoint.entries} were removed`;
    }
    const row = checkpoint.entries === 0 ? { hash: genesisHash } : await db.selectFrom('audit_log').select('hash').where('seq', '=', String(checkpoint.entries)).executeTakeFirst();
    if (row?.hash !== checkpoint.head) {
      return `entry ${checkpoint.entries} does not match the checkpoint at ${where}, taken ${checkpoint.at}: the log was rewritten up to there`;
    }
  }
  return undefined;
}

export async function appendCheckpoint(path: string, checkpoint: AuditCheckpoint): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await appendFile(path, `${JSON.stringify(checkpoint)}\n`, { mode: 0o600 });
}

/**
 * Writes a checkpoint to the data folder now and every `auditCheckpointMinutes` while the service
 * runs (when the log has grown), so truncation is caught even if nobody runs `ntg audit checkpoint`
 * from cron. The data folder is outside the database: someone who can only reach PostgreSQL cannot
 * rewrite it. Returns a function that stops the timer (and waits for a checkpoint being written).
 */
export function startCheckpoints(
  db: Kysely<Schema>,
  config: Pick<Config, 'dataDir' | 'auditCheckpointMinutes'>,
  log: { error(details: object, message: string): void },
): () => Promise<void> {
  if (config.auditCheckpointMinutes === 0) return () => Promise.resolve();
  const path = join(config.dataDir, checkpointFile);
  let lastEntries: number | undefined;
  const write = async (): Promise<void> => {
    try {
      const checkpoint = await takeCheckpoint(db);
      if (checkpoint.entries === lastEntries) return;
      await appendCheckpoint(path, checkpoint);
      lastEntries = checkpoint.entries;
    } catch (error) {
      log.error({ err: error }, 'could not write an audit checkpoint');
    }
  };
  let writing = write();
  const timer = setInterval(() => {
    writing = writing.then(write);
  }, config.auditCheckpointMinutes * 60_000);
  timer.unref();
  return async () => {
    clearInterval(timer);
    await writing;
  };
}
