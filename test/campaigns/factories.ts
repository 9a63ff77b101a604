// Test data for campaign and policy tests: programs and subscribers written
// straight to the database, with overrides per test.
import { randomUUID } from 'node:crypto';
import type { Db } from '../../src/db/client.js';
import { subscriberWorkflowId } from '../../src/temporal/shared.js';

export async function buildProgram(db: Db, overrides: Record<string, unknown> = {}): Promise<string> {
  const id = `prg_${randomUUID().slice(0, 8)}`;
  await db.program.create({
    data: {
      id,
      brandName: 'Acme Coffee',
      name: 'Acme Deals',
      description: 'weekly coffee deals',
      frequencyText: 'up to 4 msgs/week',
      helpContact: 'help@acme.example',
      termsUrl: 'https://acme.example/terms',
      termsVersion: '2026-01',
      privacyUrl: 'https://acme.example/privacy',
      privacyVersion: '2026-01',
      senderType: 'simulated',
      allowedCountries: JSON.stringify(['US', 'CA']),
      languages: JSON.stringify(['en']),
      ...overrides,
    },
  });
  return id;
}

export interface SubscriberSeed {
  state?: string;
  timeZones?: string[];
}

export async function buildSubscribers(db: Db, programId: string, seeds: SubscriberSeed[]): Promise<{ id: string; workflowId: string; state: string }[]> {
  const rows = seeds.map((seed, i) => {
    const phoneHash = randomUUID().replace(/-/g, '');
    return {
      id: `sub_${String(i).padStart(4, '0')}_${phoneHash.slice(0, 6)}`,
      programId,
      phoneHash,
      workflowId: subscriberWorkflowId(programId, phoneHash),
      country: 'US',
      timeZones: JSON.stringify(seed.timeZones ?? ['America/New_York']),
      zoneBasis: 'number',
      consentState: seed.state ?? 'active',
    };
  });
  await db.subscriber.createMany({ data: rows });
  return rows.map((r) => ({ id: r.id, workflowId: r.workflowId, state: r.consentState }));
}
