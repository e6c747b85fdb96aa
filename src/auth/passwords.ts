import { hash, verify } from '@node-rs/argon2';
import { readFileSync } from 'node:fs';
import { sourcePath } from '../web/paths.js';

export const minimumPasswordLength = 12;

/** OWASP's recommended argon2id settings (m = 19 MiB, t = 2, p = 1). */
const argon2Options = { memoryCost: 19_456, timeCost: 2, parallelism: 1, algorithm: 2 } as const;

let commonPasswords: Set<string> | undefined;
function isCommon(password: string): boolean {
  commonPasswords ??= new Set(
    readFileSync(sourcePath('auth', 'common-passwords.txt'), 'utf8')
      .split('\n')
      .map((line) => line.trim().toLowerCase())
      .filter((line) => line !== ''),
  );
  return commonPasswords.has(password.toLowerCase());
}

/** Why a new password is refused, in words for the person choosing it, or undefined when it is acceptable. */
export function passwordProblem(password: string, email?: string): string | undefined {
  if (password.length < minimumPasswordLength) return `Enter a password of at least ${minimumPasswordLength} characters`;
  if (password.length > 256) return 'Enter a password of 256 characters or fewer';
  if (isCommon(password)) return 'Choose a password that is not one of the most commonly used passwords';
  if (email !== undefined && password.toLowerCase().includes(email.split('@')[0]?.toLowerCase() ?? '\u0000')) {
    return 'Choose a password that does not contain your email address';
  }
  return undefined;
}

export function hashPassword(password: string): Promise<string> {
  return hash(password, argon2Options);
}

/** A hash to compare against when the account does not exist, so timing does not reveal which emails exist. */
let decoyHash: Promise<string> | undefined;

export async function verifyPassword(passwordHash: string | null, password: string): Promise<boolean> {
  decoyHash ??= hashPassword('not a real password, only for constant timing');
  const against = passwordHash ?? (await decoyHash);
  const matches = await verify(against, password).catch(() => false);
  return passwordHash !== null && matches;
}
