import { Secret, TOTP } from 'otpauth';

/** RFC 6238 one-time codes: 6 digits, 30-second steps, SHA-1, as authenticator apps expect. */
function totpFor(secretBase32: string, label = 'account'): TOTP {
  return new TOTP({ issuer: 'Narrowing the Gap', label, algorithm: 'SHA1', digits: 6, period: 30, secret: Secret.fromBase32(secretBase32) });
}

export function newTotpSecret(): string {
  return new Secret({ size: 20 }).base32;
}

/** Accepts the current code and the one either side, for clocks a little apart. */
export function verifyTotp(secretBase32: string, code: string): boolean {
  const digits = code.replace(/\s/g, '');
  if (!/^\d{6}$/.test(digits)) return false;
  return totpFor(secretBase32).validate({ token: digits, window: 1 }) !== null;
}

export function currentTotp(secretBase32: string): string {
  return totpFor(secretBase32).generate();
}

export function totpUri(secretBase32: string, email: string): string {
  return totpFor(secretBase32, email).toString();
}
