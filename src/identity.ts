// Keyed hashing of phone numbers. The hash names a subscriber everywhere a
// phone number must not appear (workflow IDs, suppression list, logs); the key
// keeps it from being reversed by hashing every possible number.
import { createHmac, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

export function phoneHash(e164: string, key: string): string {
  // 128 bits of HMAC-SHA256, hex: short enough for a workflow ID, no collisions in practice.
  return createHmac('sha256', key).update(e164).digest('hex').slice(0, 32);
}

/**
 * The configured PHONE_HASH_KEY, or for the embedded default a random key kept
 * in the data folder (created once, reused by every later start).
 */
export function loadPhoneHashKey(configured: string | undefined, file: string): string {
  if (configured) {
    return configured;
  }
  if (existsSync(file)) {
    return readFileSync(file, 'utf8').trim();
  }
  mkdirSync(dirname(file), { recursive: true });
  const key = randomBytes(32).toString('hex');
  writeFileSync(file, `${key}\n`, { mode: 0o600 });
  return key;
}
