// Terms and privacy policy changes: the program's current version and URL move
// forward, the change is recorded, and a workflow tells every active or paused
// subscriber's lifecycle (material: pause and ask again; otherwise: a notice).
import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import { z } from 'zod';
import type { Db } from '../db/client.js';
import { policyChangeWorkflowId } from '../temporal/shared.js';
import { policyChangeProgressQuery, policyChangeWorkflow, type PolicyChangeProgress } from '../workflows/policy-change.js';
import { ConflictError, NotFoundError } from './errors.js';

export const createPolicyChangeSchema = z
  .object({
    policy: z.enum(['terms', 'privacy']).meta({ description: 'Which policy changed' }),
    version: z.string().min(1).max(64).meta({ description: 'The new version label, e.g. 2026-12' }),
    url: z.url({ protocol: /^https?$/ }).meta({ description: 'Where the new version is published' }),
    material: z.boolean().meta({ description: 'A material change pauses marketing until each subscriber consents again' }),
  })
  .meta({ id: 'CreatePolicyChange' });

export type CreatePolicyChange = z.infer<typeof createPolicyChangeSchema>;

export interface PolicyChangeView {
  id: string;
  programId: string;
  policy: 'terms' | 'privacy';
  version: string;
  url: string;
  material: boolean;
  workflowId: string | null;
  createdAt: string;
}

export interface PolicyServices {
  db: Db;
  client: Client;
  taskQueue: string;
  newId: () => string;
}

type PolicyChangeRow = NonNullable<Awaited<ReturnType<Db['policyChange']['findUnique']>>>;

function view(row: PolicyChangeRow): PolicyChangeView {
  return {
    id: row.id,
    programId: row.programId,
    policy: row.kind === 'terms' ? 'terms' : 'privacy',
    version: row.version,
    url: row.url,
    material: row.material,
    workflowId: row.workflowId,
    createdAt: row.createdAt.toISOString(),
  };
}

/**
 * Records the change and starts its fan-out. Repeating the same request is
 * safe (the same change comes back and its workflow is started if it was not);
 * the same version with a different URL or materiality is a conflict.
 */
export async function createPolicyChange(
  s: PolicyServices,
  programId: string,
  input: CreatePolicyChange,
): Promise<{ change: PolicyChangeView; created: boolean }> {
  const existing = await s.db.policyChange.findUnique({
    where: { programId_kind_version: { programId, kind: input.policy, version: input.version } },
  });
  if (existing && (existing.url !== input.url || existing.material !== input.material)) {
    throw new ConflictError(`${input.policy} version ${input.version} was already published with a different URL or materiality`);
  }
  const row = existing ?? (await recordChange(s, programId, input));
  await s.client.workflow.start(policyChangeWorkflow, {
    workflowId: policyChangeWorkflowId(row.id),
    taskQueue: s.taskQueue,
    args: [{ changeId: row.id }],
    workflowIdConflictPolicy: 'USE_EXISTING',
    workflowIdReusePolicy: 'REJECT_DUPLICATE',
  }).catch((err: unknown) => {
    // A finished fan-out for this change is the outcome we want, not an error.
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) {
      throw err;
    }
  });
  return { change: view(row), created: existing === null };
}

async function recordChange(s: PolicyServices, programId: string, input: CreatePolicyChange): Promise<PolicyChangeRow> {
  const id = s.newId();
  const program =
    input.policy === 'terms'
      ? { termsVersion: input.version, termsUrl: input.url }
      : { privacyVersion: input.version, privacyUrl: input.url };
  return s.db.$transaction(async (tx) => {
    const found = await tx.program.findUnique({ where: { id: programId }, select: { id: true } });
    if (!found) {
      throw new NotFoundError('program', programId);
    }
    await tx.program.update({ where: { id: programId }, data: program });
    return tx.policyChange.create({
      data: { id, programId, kind: input.policy, version: input.version, url: input.url, material: input.material, workflowId: policyChangeWorkflowId(id) },
    });
  });
}

export interface PolicyChangeStatus {
  change: PolicyChangeView;
  progress: PolicyChangeProgress | null;
  /** The program's subscribers by consent state now (paused = waiting for re-consent). */
  subscribers: Record<string, number>;
}

export async function policyChangeStatus(s: Pick<PolicyServices, 'db' | 'client'>, id: string): Promise<PolicyChangeStatus> {
  const row = await s.db.policyChange.findUnique({ where: { id } });
  if (!row) {
    throw new NotFoundError('policy change', id);
  }
  const [progress, groups] = await Promise.all([
    s.client.workflow
      .getHandle(policyChangeWorkflowId(id))
      .query(policyChangeProgressQuery)
      .catch(() => null),
    s.db.subscriber.groupBy({ by: ['consentState'], where: { programId: row.programId }, _count: { _all: true } }),
  ]);
  return {
    change: view(row),
    progress,
    subscribers: Object.fromEntries(groups.map((g) => [g.consentState, g._count._all])),
  };
}
