// Queued texts for lifecycle tests: a campaign step row (the body stays in the
// database) and the enqueue signal that names it.
import { randomUUID } from 'node:crypto';
import type { WorkflowHandle } from '@temporalio/client';
import type { Db } from '../../src/db/client.js';
import { enqueueTextSignal } from '../../src/workflows/messages.js';
import type { LifecycleHarness } from '../helpers/lifecycle.js';

export const MARKETING_BODY = 'Harbor Coffee: Weekend special, 2-for-1 lattes Saturday and Sunday. Reply STOP to opt out.';

/** A one-step campaign holding `body`; returns its ID. */
export async function campaignText(db: Db, programId: string, body: string): Promise<string> {
  const id = `cmp_${randomUUID().slice(0, 8)}`;
  await db.campaign.create({
    data: {
      id,
      programId,
      name: 'test step',
      steps: JSON.stringify([{ body, variables: {}, delayMs: 0, atLocalTime: null, expireAfterMs: 48 * 3600_000 }]),
      target: JSON.stringify({ allActive: true }),
      status: 'running',
    },
  });
  return id;
}

export async function enqueueMarketing(
  h: LifecycleHarness,
  handle: WorkflowHandle,
  subscriber: { programId: string },
  requestId: string,
  options: { body?: string; deadline?: string | null; kind?: 'marketing' | 'informational' } = {},
): Promise<string> {
  const campaign = await campaignText(h.db, subscriber.programId, options.body ?? MARKETING_BODY);
  await handle.signal(enqueueTextSignal, {
    requestId: `${requestId}:${campaign}`,
    kind: options.kind ?? 'marketing',
    campaignId: campaign,
    stepIndex: 0,
    templateRef: `campaign:${campaign}:0`,
    notBefore: null,
    deadline: options.deadline ?? null,
  });
  return campaign;
}
