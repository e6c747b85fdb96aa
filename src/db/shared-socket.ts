import { chmodSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Socket } from 'node:net';
import { join } from 'node:path';
import type { PGlite } from '@electric-sql/pglite';

/**
 * The embedded database (PGlite) lives inside one process, so a command run while the service holds
 * the data folder cannot open it. The service therefore serves it to commands on the same machine
 * through a socket that only this user can open: a Unix socket in the data folder (folder 0700,
 * socket 0600), or, where the folder's path is too long for a Unix socket, 127.0.0.1 on a port
 * chosen by the system. Never on a network address: the database holds child-level data and the
 * socket asks for no password. The address is written to the data folder, where a command finds it.
 */

/** Where, under the data folder, the socket and its address live. */
export const socketFolderName = 'pglite-socket';
const addressFileName = 'address.json';
/** PostgreSQL clients look for a Unix socket named like this in the folder given as the host. */
const socketPort = 5432;
const socketFileName = `.s.PGSQL.${socketPort}`;
/** Longest Unix socket path the operating systems accept (104 on macOS, 108 on Linux, with the terminator). */
const longestSocketPath = 103;
/** Commands served at once; more wait for a free place (see `SocketBusyError`). */
export const commandConnections = 4;

export type SocketAddress = { pid: number; socket: string } | { pid: number; host: '127.0.0.1'; port: number };

export interface SharedDatabase {
  address: SocketAddress;
  stop(): Promise<void>;
}

/**
 * Serves `pglite` to commands. PGlite runs one statement at a time but keeps no sessions apart: a
 * statement from a command arriving between two of the service's statements in a transaction would
 * join that transaction, and the service's statements would join a command's open transaction. So a
 * command's statements take PGlite's transaction lock (the one the service's own queries and
 * transactions take) and keep it while the command has a transaction open; the service waits the
 * while, and so does a command while the service is inside a transaction.
 */
export async function shareWithCommands(pglite: PGlite, dataDir: string): Promise<SharedDatabase> {
  const { PGLiteSocketServer } = await import('@electric-sql/pglite-socket');
  const folder = join(dataDir, socketFolderName);
  mkdirSync(folder, { recursive: true, mode: 0o700 });
  chmodSync(folder, 0o700);
  const socketPath = join(folder, socketFileName);
  // This process holds the data folder's lock, so a socket or address left here is from a service that stopped without cleaning up.
  rmSync(socketPath, { force: true });
  rmSync(join(folder, addressFileName), { force: true });
  const useUnixSocket = process.platform !== 'win32' && socketPath.length <= longestSocketPath;
  const guarded = guardedForCommands(pglite);
  const server = new PGLiteSocketServer({
    db: guarded as unknown as PGlite,
    maxConnections: commandConnections,
    ...(useUnixSocket ? { path: socketPath } : { host: '127.0.0.1', port: 0 }),
  });
  // The socket is created with the process's umask: narrow it so no other user can open it even for a moment.
  const previousUmask = process.umask(0o177);
  let started: Promise<void>;
  try {
    started = server.start();
  } finally {
    process.umask(previousUmask);
  }
  await started;
  let address: SocketAddress;
  if (useUnixSocket) {
    chmodSync(socketPath, 0o600);
    address = { pid: process.pid, socket: socketPath };
  } else {
    const [, port] = server.getServerConn().split(':');
    address = { pid: process.pid, host: '127.0.0.1', port: Number(port) };
  }
  writeFileSync(join(folder, addressFileName), `${JSON.stringify(address)}\n`, { mode: 0o600 });
  return {
    address,
    stop: async () => {
      rmSync(join(folder, addressFileName), { force: true });
      await server.stop();
      await guarded.release();
      if (useUnixSocket) rmSync(socketPath, { force: true });
    },
  };
}

/** The address the service holding `dataDir` wrote, when the process `pid` wrote it. */
export function sharedAddress(dataDir: string, pid: number): SocketAddress | undefined {
  try {
    const address = JSON.parse(readFileSync(join(dataDir, socketFolderName, addressFileName), 'utf8')) as SocketAddress;
    return address.pid === pid ? address : undefined;
  } catch {
    return undefined;
  }
}

/** The pg driver's connection settings for an address. */
export function connectionFor(address: SocketAddress): { host: string; port: number } {
  if ('socket' in address) return { host: join(address.socket, '..'), port: socketPort };
  return { host: address.host, port: address.port };
}

/**
 * Whether the socket server turns a new connection away right now: after a failed connection, to
 * tell "busy" from a broken socket. A full server closes a new connection at once, before or after
 * writing "Too many connections"; one with room waits for the client to speak first.
 */
export function turnsAwayNow(address: SocketAddress, waitMs = 1_000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    let connected = false;
    const done = (answer: boolean) => {
      clearTimeout(timer);
      socket.removeAllListeners();
      socket.on('error', () => undefined);
      socket.destroy();
      resolve(answer);
    };
    const timer = setTimeout(() => done(false), waitMs);
    socket.once('connect', () => (connected = true));
    socket.once('data', (chunk: Buffer) => done(chunk.toString('latin1').startsWith('Too many connections')));
    socket.once('error', () => done(connected));
    socket.once('close', () => done(connected));
    if ('socket' in address) socket.connect(address.socket);
    else socket.connect(address.port, address.host);
  });
}

interface GuardedPGlite {
  runExclusive<T>(work: () => Promise<T>): Promise<T>;
  execProtocolRawStream: PGlite['execProtocolRawStream'];
  isInTransaction(): boolean;
  exec(query: string): Promise<unknown>;
  /** Gives the lock back if a command still holds it (the server is stopping). */
  release(): Promise<void>;
}

/** PGlite's own lock taken by `query`, `exec` and `transaction` (public in all but name). */
type TransactionLocking = { _runExclusiveTransaction<T>(work: () => Promise<T>): Promise<T> };

/** The part of PGlite the socket server uses, with commands taking the transaction lock. */
function guardedForCommands(pglite: PGlite): GuardedPGlite {
  const locking = pglite as unknown as TransactionLocking;
  let held: { release: () => void; finished: Promise<unknown> } | undefined;

  async function hold(): Promise<void> {
    if (held) return;
    await new Promise<void>((acquired) => {
      let release = (): void => undefined;
      const finished = locking._runExclusiveTransaction(
        () =>
          new Promise<void>((released) => {
            release = released;
            acquired();
          }),
      );
      held = { release: () => release(), finished };
    });
  }

  async function letGo(): Promise<void> {
    const holding = held;
    held = undefined;
    if (!holding) return;
    holding.release();
    await holding.finished;
  }

  return {
    async runExclusive(work) {
      await hold();
      try {
        return await pglite.runExclusive(work);
      } finally {
        if (!pglite.isInTransaction()) await letGo();
      }
    },
    execProtocolRawStream: (message, options) => pglite.execProtocolRawStream(message, options),
    // The server asks to keep a command's transaction together; the service's own transactions are not its to see or end.
    isInTransaction: () => held !== undefined && pglite.isInTransaction(),
    // Called only to roll back the open transaction of a command that went away, which still holds the lock.
    async exec(query) {
      if (held === undefined) return undefined;
      await pglite.runExclusive(() => pglite.execProtocolRawStream(simpleQuery(query), { onRawData: () => undefined }));
      if (!pglite.isInTransaction()) await letGo();
      return undefined;
    },
    release: letGo,
  };
}

/** A simple-protocol Query message. */
function simpleQuery(text: string): Uint8Array {
  const body = Buffer.from(`${text}\0`, 'utf8');
  const message = Buffer.alloc(5 + body.length);
  message.write('Q', 0, 'latin1');
  message.writeInt32BE(4 + body.length, 1);
  body.copy(message, 5);
  return new Uint8Array(message);
}
