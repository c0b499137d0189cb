/** Bearer tokens: 256 random bits, shown once, stored only as their SHA-256. */
import { createHash, randomBytes } from 'node:crypto';

export const TOKEN_PREFIX = 'sro_';

export function generateToken(): string {
  return TOKEN_PREFIX + randomBytes(32).toString('base64url');
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}
