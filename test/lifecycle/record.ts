// Saves a lifecycle's history for the replay test when RECORD_HISTORIES=1, so a
// change to the workflow code that would break running lifecycles fails CI.
import { writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { WorkflowHandle } from '@temporalio/client';

export const historiesDir = resolve(dirname(fileURLToPath(import.meta.url)), 'histories');

export async function recordHistory(name: string, handle: WorkflowHandle): Promise<void> {
  if (process.env.RECORD_HISTORIES !== '1') {
    return;
  }
  const history = await handle.fetchHistory();
  writeFileSync(resolve(historiesDir, `${name}.json`), `${JSON.stringify(history, null, 1)}\n`);
}
