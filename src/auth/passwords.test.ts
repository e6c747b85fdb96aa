import { describe, expect, it } from 'vitest';
import { hashPassword, passwordProblem, verifyPassword } from './passwords.js';
import { Secret, TOTP } from 'otpauth';
import { newTotpSecret, totpStep } from './totp.js';

describe('passwordProblem', () => {
  it('refuses a password shorter than 12 characters', () => {
    expect(passwordProblem('short-pass1')).toBe('Enter a password of at least 12 characters');
  });

  it('refuses one of the 10,000 most common passwords whatever its case', () => {
    // "1qaz2wsx3edc" is in the shipped list (SecLists' ten-million list, top 10,000).
    expect(passwordProblem('1QAZ2WSX3EDC')).toBe('Choose a password that is not one of the most commonly used passwords');
  });

  it('refuses a password containing the email’s name', () => {
    expect(passwordProblem('jo.bloggs-winter-garden', 'jo.bloggs@council.gov.uk')).toBe('Choose a password that does not contain your email address');
  });

  it('accepts a long, uncommon password', () => {
    expect(passwordProblem('correct horse battery staple', 'analyst@council.gov.uk')).toBeUndefined();
  });
});

describe('hashPassword and verifyPassword', () => {
  it('stores an argon2id hash that verifies only the same password', async () => {
    const stored = await hashPassword('correct horse battery staple');
    expect(stored).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(await verifyPassword(stored, 'correct horse battery staple')).toBe(true);
    expect(await verifyPassword(stored, 'correct horse battery stapler')).toBe(false);
  });

  it('refuses any password for an account with no password', async () => {
    expect(await verifyPassword(null, 'anything at all here')).toBe(false);
  });
});

describe('totpStep', () => {
  it('gives the current code its 30-second step and refuses another code', () => {
    const secret = newTotpSecret();
    const now = Date.now();
    const code = TOTP.generate({ secret: Secret.fromBase32(secret), timestamp: now });
    expect(totpStep(secret, code, now)).toBe(TOTP.counter({ period: 30, timestamp: now }));
    expect(totpStep(secret, code.replace(/\d$/, (digit) => String((Number(digit) + 1) % 10)), now)).toBeUndefined();
    expect(totpStep(secret, 'abcdef', now)).toBeUndefined();
  });
});
