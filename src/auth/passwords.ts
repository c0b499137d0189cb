/**
 * Passwords of personal accounts (docs/decisions.md W20): NIST SP 800-63B §3.1.1.2 rules, and
 * scrypt from node:crypto.
 *
 * - At least 12 characters (Unicode code points, after NFC), at most 128; any character is
 *   allowed and there are no composition rules (800-63B: "SHALL NOT impose other composition
 *   rules").
 * - Refused when it is one of the common passwords of the zxcvbn list (49,233 passwords from
 *   breach corpora, @zxcvbn-ts/language-common), compared case-insensitively; when it is the
 *   person's email or name, or contains the product's name; or when it is one character repeated
 *   or a run of consecutive characters ("aaaaaaaaaaaa", "123456789012"): 800-63B's "repetitive
 *   or sequential characters" and "context-specific words".
 * - Hashed with scrypt, a per-password 16-byte random salt, N = 2^15, r = 8, p = 3 (one of the
 *   OWASP Password Storage Cheat Sheet's equivalent settings to N = 2^17, p = 1, at a third of the
 *   memory), 32-byte key. The parameters are stored with each hash, so they can be raised later and
 *   an old hash still verifies.
 */
import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import { dictionary } from '@zxcvbn-ts/language-common';
import type { PasswordHash } from '../../events/access';

export const MIN_PASSWORD_LENGTH = 12;
export const MAX_PASSWORD_LENGTH = 128;

export const SCRYPT_PARAMETERS = { logN: 15, r: 8, p: 3, keyLength: 32 } as const;

let common: Set<string> | undefined;
const commonPasswords = (): Set<string> => (common ??= new Set((dictionary.passwords as string[]).map((p) => p.toLowerCase())));

/** The field messages for a new password, empty when it is acceptable. */
export function passwordProblems(password: string, context: { email?: string; name?: string } = {}): string[] {
  const text = password.normalize('NFC');
  const length = [...text].length;
  if (length < MIN_PASSWORD_LENGTH) return [`New password: use at least ${MIN_PASSWORD_LENGTH} characters (this one has ${length}); a few unrelated words make a good one`];
  if (length > MAX_PASSWORD_LENGTH) return [`New password: use at most ${MAX_PASSWORD_LENGTH} characters`];
  const lower = text.toLowerCase();
  if (commonPasswords().has(lower)) return ['New password: this is one of the most common passwords (it appears in lists taken from breaches); choose another'];
  if (isRepetitiveOrSequential(lower)) return ['New password: one character repeated or a run of consecutive characters is too easy to guess; choose another'];
  const email = context.email?.trim().toLowerCase();
  if (email && (lower === email || lower === email.split('@')[0])) return ['New password: do not use your email address as your password'];
  const name = context.name?.trim().toLowerCase().replace(/\s+/g, '');
  if (name && lower.replace(/\s+/g, '') === name) return ['New password: do not use your name as your password'];
  if (/sro-?compliance/.test(lower)) return ['New password: do not use the name of this product in your password'];
  return [];
}

function isRepetitiveOrSequential(text: string): boolean {
  const codes = [...text].map((c) => c.codePointAt(0)!);
  if (codes.every((c) => c === codes[0])) return true;
  const step = codes[1] - codes[0];
  if (Math.abs(step) !== 1 && !(step === -9 || step === 9)) return false;
  // "1234567890..." wraps 9 → 0; otherwise each step is +1 or each is -1.
  return codes.every((c, i) => i === 0 || c - codes[i - 1] === step || (c === 48 && codes[i - 1] === 57) || (c === 57 && codes[i - 1] === 48));
}

function derive(password: string, salt: Buffer, params: { logN: number; r: number; p: number; keyLength: number }): Promise<Buffer> {
  const N = 2 ** params.logN;
  // scrypt needs 128 · N · r bytes (32 MB at these settings); maxmem leaves room above it.
  const maxmem = 256 * N * params.r + 1024 * 1024;
  return new Promise((resolve, reject) =>
    scrypt(password.normalize('NFC'), salt, params.keyLength, { N, r: params.r, p: params.p, maxmem }, (err, key) => (err ? reject(err) : resolve(key))),
  );
}

export async function hashPassword(password: string): Promise<PasswordHash> {
  const salt = randomBytes(16);
  const key = await derive(password, salt, SCRYPT_PARAMETERS);
  return { algorithm: 'scrypt', ...SCRYPT_PARAMETERS, salt: salt.toString('base64'), hash: key.toString('base64') };
}

/** Constant-time comparison of the derived key with the stored one. */
export async function verifyPassword(password: string, stored: PasswordHash): Promise<boolean> {
  if (stored.algorithm !== 'scrypt') return false;
  const expected = Buffer.from(stored.hash, 'base64');
  const key = await derive(password, Buffer.from(stored.salt, 'base64'), { logN: stored.logN, r: stored.r, p: stored.p, keyLength: expected.length });
  return key.length === expected.length && timingSafeEqual(key, expected);
}

/** A hash to verify against when the account does not exist, so that the answer takes as long. */
let decoy: Promise<PasswordHash> | undefined;
export const decoyHash = (): Promise<PasswordHash> => (decoy ??= hashPassword(randomBytes(18).toString('base64')));
