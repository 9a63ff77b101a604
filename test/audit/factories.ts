// Test data for the auditor tests: rows with sensible defaults, overridable.
import { randomUUID } from 'node:crypto';
import type { Db } from '../../src/db/client.js';

export async function buildProgram(db: Db, overrides: { id?: string } = {}): Promise<string> {
  const id = overrides.id ?? `prg_${randomUUID().slice(0, 8)}`;
  await db.program.create({
    data: {
      id,
      brandName: 'Acme',
      name: 'Acme Deals',
      description: 'weekly deals',
      frequencyText: 'up to 4 msgs/mo',
      helpContact: 'help@acme.test',
      termsUrl: 'https://acme.test/terms',
      termsVersion: '1',
      privacyUrl: 'https://acme.test/privacy',
      privacyVersion: '1',
      senderType: 'simulated',
      allowedCountries: '["US"]',
      languages: '["en"]',
    },
  });
  return id;
}

export async function buildSubscriber(
  db: Db,
  programId: string,
  overrides: { id?: string; phoneHash?: string; phoneE164?: string | null; consentState?: string; workflowId?: string } = {},
): Promise<string> {
  const id = overrides.id ?? `sub_${randomUUID().slice(0, 8)}`;
  await db.subscriber.create({
    data: {
      id,
      programId,
      phoneHash: overrides.phoneHash ?? randomUUID().replace(/-/g, ''),
      phoneE164: overrides.phoneE164 === undefined ? '+12125550100' : overrides.phoneE164,
      workflowId: overrides.workflowId ?? `wf-${id}`,
      country: 'US',
      timeZones: '["America/New_York"]',
      zoneBasis: 'number',
      consentState: overrides.consentState ?? 'new',
    },
  });
  return id;
}
