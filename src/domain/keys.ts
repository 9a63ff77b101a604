// API keys: `cl_<prefix>_<secret>`. The prefix finds the row; only a SHA-256
// of the secret is stored, compared in constant time. The full key is shown
// once, when it is created.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Db } from '../db/client.js';
import { ConflictError, NotFoundError } from './errors.js';
import { newId } from './ids.js';

export const roles = ['marketer', 'auditor', 'admin'] as const;
export type Role = (typeof roles)[number];

export interface ApiCaller {
  keyId: string;
  name: string;
  role: Role;
}

export interface ApiKeyView {
  id: string;
  name: string;
  prefix: string;
  role: Role;
  createdAt: Date;
  revokedAt: Date | null;
  lastUsedAt: Date | null;
}

const KEY_PATTERN = /^cl_([a-z0-9]{8,32})_([A-Za-z0-9_-]{16,128})$/;

export interface ParsedKey {
  prefix: string;
  secret: string;
}

/**
 * Splits a presented key. A key in another form (an operator-chosen
 * BOOTSTRAP_ADMIN_KEY) is its own secret, under a prefix derived from it.
 */
export function parseKey(token: string): ParsedKey {
  const m = KEY_PATTERN.exec(token);
  if (m?.[1] && m[2]) {
    return { prefix: m[1], secret: m[2] };
  }
  return { prefix: `boot${sha256(token).slice(0, 12)}`, secret: token };
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

function sameHash(a: string, b: string): boolean {
  const x = Buffer.from(a, 'hex');
  const y = Buffer.from(b, 'hex');
  return x.length === y.length && timingSafeEqual(x, y);
}

function view(row: { id: string; name: string; prefix: string; role: string; createdAt: Date; revokedAt: Date | null; lastUsedAt: Date | null }): ApiKeyView {
  return { ...row, role: row.role as Role };
}

export async function createApiKey(db: Db, input: { name: string; role: Role }): Promise<{ key: ApiKeyView; token: string }> {
  const prefix = randomBytes(6).toString('hex');
  const secret = randomBytes(32).toString('base64url');
  const row = await db.apiKey.create({
    data: { id: newId('key'), name: input.name, prefix, keyHash: sha256(secret), role: input.role },
  });
  return { key: view(row), token: `cl_${prefix}_${secret}` };
}

export async function listApiKeys(db: Db): Promise<ApiKeyView[]> {
  const rows = await db.apiKey.findMany({ orderBy: { createdAt: 'asc' } });
  return rows.map(view);
}

export async function revokeApiKey(db: Db, prefix: string, now: Date): Promise<ApiKeyView> {
  const row = await db.apiKey.findUnique({ where: { prefix } });
  if (!row) {
    throw new NotFoundError('API key', prefix);
  }
  if (row.revokedAt) {
    throw new ConflictError(`API key ${prefix} was already revoked at ${row.revokedAt.toISOString()}`);
  }
  return view(await db.apiKey.update({ where: { prefix }, data: { revokedAt: now } }));
}

/** Makes sure the configured bootstrap key exists as an unrevoked admin key. */
export async function ensureBootstrapKey(db: Db, token: string): Promise<ApiKeyView> {
  const { prefix, secret } = parseKey(token);
  const row = await db.apiKey.upsert({
    where: { prefix },
    create: { id: newId('key'), name: 'bootstrap admin', prefix, keyHash: sha256(secret), role: 'admin' },
    update: { keyHash: sha256(secret), role: 'admin', revokedAt: null },
  });
  return view(row);
}

/** The caller behind a presented key, or null for an unknown, wrong or revoked key. */
export async function verifyApiKey(db: Db, token: string, now: Date): Promise<ApiCaller | null> {
  const { prefix, secret } = parseKey(token);
  const row = await db.apiKey.findUnique({ where: { prefix } });
  if (!row || row.revokedAt || !sameHash(sha256(secret), row.keyHash)) {
    return null;
  }
  // Coarse last-use tracking: at most one write a minute per key.
  if (!row.lastUsedAt || now.getTime() - row.lastUsedAt.getTime() > 60_000) {
    await db.apiKey.update({ where: { id: row.id }, data: { lastUsedAt: now } });
  }
  return { keyId: row.id, name: row.name, role: row.role as Role };
}
