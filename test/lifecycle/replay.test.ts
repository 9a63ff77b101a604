// Replays recorded lifecycle histories against the current workflow code: a
// change that would break running subscribers' workflows fails here first.
// Record new ones with RECORD_HISTORIES=1 npx vitest run test/lifecycle.
import { readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { temporal } from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import { describe, expect, it } from 'vitest';
import { historiesDir } from './record.js';

const workflowsPath = fileURLToPath(new URL('../../src/workflows/index.ts', import.meta.url));
const files = readdirSync(historiesDir).filter((f) => f.endsWith('.json'));

describe('replay of recorded lifecycle histories', () => {
  it('has recorded histories to replay', () => {
    expect(files.length).toBeGreaterThanOrEqual(4);
  });

  it.each(files)('%s replays without nondeterminism', async (file) => {
    // Saved as the SDK's own JSON form of the History message (record.ts); fromObject restores its types.
    const history = temporal.api.history.v1.History.fromObject(JSON.parse(readFileSync(resolve(historiesDir, file), 'utf8')));
    await expect(Worker.runReplayHistory({ workflowsPath, replayName: file }, history)).resolves.toBeUndefined();
  });
});
