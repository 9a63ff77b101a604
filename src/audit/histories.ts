// A subscriber workflow's histories, every run of its workflow ID: the runs
// chained by continue-as-new (walked back from the latest through each start
// event's link) and, where the server has visibility, earlier separate runs.
import { isGrpcServiceError, WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { temporal } from '@temporalio/proto';

export type History = temporal.api.history.v1.IHistory;

export interface RunHistory {
  workflowId: string;
  runId: string;
  history: History;
}

const MAX_RUNS = 10_000;

/** Oldest run first; empty when no run with this workflow ID exists. */
export async function fetchRunHistories(client: Client, workflowId: string): Promise<RunHistory[]> {
  const runIds = new Set<string>(await listedRuns(client, workflowId));
  const runs = new Map<string, RunHistory>();

  let runId: string | undefined = await latestRunId(client, workflowId);
  while (runId && !runs.has(runId) && runs.size < MAX_RUNS) {
    const history = await client.workflow.getHandle(workflowId, runId).fetchHistory();
    runs.set(runId, { workflowId, runId, history });
    runIds.delete(runId);
    const started = history.events?.[0]?.workflowExecutionStartedEventAttributes;
    runId = started?.continuedExecutionRunId || undefined;
  }
  for (const other of runIds) {
    const history = await historyIfKept(client, workflowId, other);
    if (history) {
      runs.set(other, { workflowId, runId: other, history });
    }
  }

  return [...runs.values()].sort((a, b) => startTime(a.history) - startTime(b.history));
}

// Visibility outlives a history for a while after retention or deletion removed it.
async function historyIfKept(client: Client, workflowId: string, runId: string): Promise<History | null> {
  try {
    return await client.workflow.getHandle(workflowId, runId).fetchHistory();
  } catch (err) {
    if (isNotFound(err)) {
      return null;
    }
    throw err;
  }
}

function isNotFound(err: unknown): boolean {
  const GRPC_NOT_FOUND = 5;
  const cause = (err as { cause?: unknown })?.cause;
  return err instanceof WorkflowNotFoundError || (isGrpcServiceError(cause) && cause.code === GRPC_NOT_FOUND);
}

async function latestRunId(client: Client, workflowId: string): Promise<string | undefined> {
  try {
    return (await client.workflow.getHandle(workflowId).describe()).runId;
  } catch (err) {
    if (isNotFound(err)) {
      return undefined;
    }
    throw err;
  }
}

// The time-skipping test server has no list visibility: the walk above suffices there.
async function listedRuns(client: Client, workflowId: string): Promise<string[]> {
  const ids: string[] = [];
  try {
    for await (const w of client.workflow.list({ query: `WorkflowId = '${workflowId.replace(/'/g, "\\'")}'` })) {
      ids.push(w.runId);
    }
  } catch {
    return [];
  }
  return ids;
}

function startTime(history: History): number {
  const t = history.events?.[0]?.eventTime;
  return t ? Number(t.seconds ?? 0) * 1000 + Math.floor((t.nanos ?? 0) / 1e6) : 0;
}

/**
 * Every string and every payload's bytes (as UTF-8) in the history, one per
 * line, for searching. Not JSON.stringify: the proto messages' own toJSON
 * turns payload bytes into base64, where a number hides from a text search.
 */
export function historyText(history: History): string {
  const out: string[] = [];
  collectText(history, out);
  return out.join('\n');
}

function collectText(value: unknown, out: string[]): void {
  if (value instanceof Uint8Array) {
    out.push(Buffer.from(value).toString('utf8'));
  } else if (typeof value === 'string') {
    out.push(value);
  } else if (Array.isArray(value)) {
    for (const v of value) {
      collectText(v, out);
    }
  } else if (value !== null && typeof value === 'object') {
    for (const v of Object.values(value)) {
      collectText(v, out);
    }
  }
}

export interface Needle {
  /** How the value is named in reports: the value itself may be personal. */
  label: string;
  value: string;
}

/** Which needles (e.g. a phone number in its spellings) appear in which run. */
export function historiesMentioning(runs: RunHistory[], needles: Needle[]): Array<{ runId: string; label: string }> {
  const found: Array<{ runId: string; label: string }> = [];
  for (const run of runs) {
    const text = historyText(run.history);
    for (const needle of needles.filter((n) => n.value.length >= 6)) {
      if (text.includes(needle.value)) {
        found.push({ runId: run.runId, label: needle.label });
      }
    }
  }
  return found;
}
