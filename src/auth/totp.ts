import { Secret, TOTP } from 'otpauth';

/** RFC 6238 one-time codes: 6 digits, 30-second steps, SHA-1, as authenticator apps expect. */
function totpFor(secretBase32: string, label = 'account'): TOTP {
  return new TOTP({ issuer: 'Narrowing the Gap', label, algorithm: 'SHA1', digits: 6, period: 30, secret: Secret.fromBase32(secretBase32) });
}

export function newTotpSecret(): string {
  return new Secret({ size: 20 }).base32;
}

/**
 * The 30-second step (counted from 1970) of the code, when it is the current code or the one either
 * side, for clocks a little apart; undefined otherwise. A code is good once only: callers record the
 * step with `claimTotpStep` (sign-in.ts), which refuses a step at or before the last one used.
 */
export function totpStep(secretBase32: string, code: string, now = Date.now()): number | undefined {
  const digits = code.replace(/\s/g, '');
  if (!/^\d{6}$/.test(digits)) return undefined;
  const delta = totpFor(secretBase32).validate({ token: digits, window: 1, timestamp: now });
  return delta === null ? undefined : TOTP.counter({ period: 30, timestamp: now }) + delta;
}

export function currentTotp(secretBase32: string): string {
  return totpFor(secretBase32).generate();
}

export function totpUri(secretBase32: string, email: string): string {
  return totpFor(secretBase32, email).toString();
}
