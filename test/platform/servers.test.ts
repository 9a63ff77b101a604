import { fileURLToPath } from 'node:url';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { searchAttributes } from '../../src/temporal/shared.js';
import { createDevServer, createTimeSkippingServer } from '../helpers/temporal.js';

const workflowsPath = fileURLToPath(new URL('../fixtures/platform-workflows.ts', import.meta.url));
const DAY = 24 * 60 * 60 * 1000;

describe('Temporal CLI dev server', () => {
  let env: TestWorkflowEnvironment;
  beforeAll(async () => {
    env = await createDevServer();
  });
  afterAll(async () => {
    await env?.teardown();
  });

  it('runs a workflow with consentline search attributes registered', async () => {
    const worker = await Worker.create({ connection: env.nativeConnection, taskQueue: 'platform-dev', workflowsPath });
    const result = await worker.runUntil(
      env.client.workflow.execute('waitAndReport', {
        taskQueue: 'platform-dev',
        workflowId: 'platform-dev-1',
        args: [200],
        typedSearchAttributes: [{ key: searchAttributes.program, value: 'prg_platform' }],
      }),
    );
    expect(result.workflowId).toBe('platform-dev-1');
    expect(result.endedAt - result.startedAt).toBeGreaterThanOrEqual(200);
    const described = await env.client.workflow.getHandle('platform-dev-1').describe();
    expect(described.typedSearchAttributes.get(searchAttributes.program)).toBe('prg_platform');
  });
});

describe('Java time-skipping test server', () => {
  let env: TestWorkflowEnvironment;
  beforeAll(async () => {
    env = await createTimeSkippingServer();
  });
  afterAll(async () => {
    await env?.teardown();
  });

  it('skips 30 days of workflow time in seconds of wall time', async () => {
    const worker = await Worker.create({ connection: env.nativeConnection, taskQueue: 'platform-ts', workflowsPath });
    const wallStart = Date.now();
    const serverStart = await env.currentTimeMs();
    const result = await worker.runUntil(
      env.client.workflow.execute('waitAndReport', { taskQueue: 'platform-ts', workflowId: 'platform-ts-1', args: [30 * DAY] }),
    );
    expect(result.endedAt - result.startedAt).toBeGreaterThanOrEqual(30 * DAY);
    expect(result.endedAt - result.startedAt).toBeLessThan(31 * DAY);
    expect((await env.currentTimeMs()) - serverStart).toBeGreaterThanOrEqual(30 * DAY);
    expect(Date.now() - wallStart).toBeLessThan(60_000);
  });
});
