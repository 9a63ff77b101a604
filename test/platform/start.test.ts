// `npm start` as a person runs it: the whole engine in one process on the
// embedded defaults; Ctrl-C; start again; the subscriber's workflow is still
// running with its data. And bad settings end with one line naming them.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { afterAll, describe, expect, it } from 'vitest';
import { stateQuery } from '../../src/workflows/messages.js';
import { optInBody, programBody } from '../helpers/api.js';

const root = resolve(import.meta.dirname, '../..');
const ADMIN_KEY = 'platform-test-admin-key-0123456789';

function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? done(address.port) : fail(new Error('no port'))));
    });
  });
}

interface Run {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

function run(args: string[], env: Record<string, string>): Run {
  // node with tsx's loader, not the tsx wrapper: signals (and kill -9) reach
  // the engine process itself, as Ctrl-C in a terminal does.
  const child = spawn(process.execPath, ['--import', 'tsx', ...args], { cwd: root, env: { ...process.env, ...env } });
  let output = '';
  child.stdout?.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (output += c.toString()));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  return { child, output: () => output, exited };
}

async function waitFor(check: () => Promise<boolean>, what: string, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) {
      return;
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('npm start (src/main.ts)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'consentline-start-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('serves /healthz and the Temporal UI, and resumes a running subscriber workflow after Ctrl-C', async () => {
    const [port, temporalPort, uiPort] = [await freePort(), await freePort(), await freePort()];
    const env = {
      PORT: String(port),
      TEMPORAL_PORT: String(temporalPort),
      TEMPORAL_UI_PORT: String(uiPort),
      DATA_DIR: dataDir,
      BOOTSTRAP_ADMIN_KEY: ADMIN_KEY,
      LOG_LEVEL: 'warn',
    };
    const api = `http://127.0.0.1:${port}`;
    const headers = { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' };

    const first = run(['src/main.ts'], env);
    await waitFor(async () => (await fetch(`${api}/healthz`)).status === 200, 'the API');
    expect(first.output()).toContain(`Temporal UI    http://localhost:${uiPort}`);
    expect((await fetch(`http://127.0.0.1:${uiPort}/`)).status).toBe(200);

    const program = (await (await fetch(`${api}/v1/programs`, { method: 'POST', headers, body: JSON.stringify(programBody()) })).json()) as { id: string };
    const optIn = await fetch(`${api}/v1/programs/${program.id}/subscribers`, {
      method: 'POST',
      headers,
      body: JSON.stringify(optInBody('+12125550142')),
    });
    expect(optIn.status).toBeLessThan(300);
    const subscriber = (await optIn.json()) as { subscriberId: string; workflowId: string; state: string };
    expect(subscriber.state).toBe('pending');

    first.child.kill('SIGINT');
    const firstExit = await first.exited;
    expect(firstExit, first.output().split('\n').filter((l) => !l.startsWith('{')).slice(-15).join('\n')).toBe(0);
    expect((await fetch(`${api}/healthz`).catch(() => null))?.status).toBeUndefined();

    const second = run(['src/main.ts'], env);
    try {
      await waitFor(async () => (await fetch(`${api}/healthz`)).status === 200, 'the API after restart');
      const connection = await Connection.connect({ address: `127.0.0.1:${temporalPort}` });
      const client = new Client({ connection });
      const handle = client.workflow.getHandle(subscriber.workflowId);
      expect((await handle.describe()).status.name).toBe('RUNNING');
      const state = await handle.query(stateQuery);
      expect(state.subscriberId).toBe(subscriber.subscriberId);
      expect(state.consentState).toBe('pending');
      await connection.close();
    } finally {
      // kill -9 gives the engine no chance to stop its Temporal dev server.
      second.child.kill('SIGKILL');
      await second.exited;
    }

    const third = run(['src/main.ts'], env);
    try {
      await waitFor(async () => (await fetch(`${api}/healthz`)).status === 200, 'the API after kill -9');
      const connection = await Connection.connect({ address: `127.0.0.1:${temporalPort}` });
      const handle = new Client({ connection }).workflow.getHandle(subscriber.workflowId);
      expect((await handle.query(stateQuery)).consentState).toBe('pending');
      await connection.close();
    } finally {
      third.child.kill('SIGINT');
      expect(await third.exited).toBe(0);
    }
  }, 400_000);

  it.each([
    ['a malformed DATABASE_URL', { DATABASE_URL: 'mysql://nope' }, /^consentline: DATABASE_URL: /],
    // Temporal is unreachable too: the database problem must not hide behind it.
    ['an unreachable PostgreSQL DATABASE_URL', { DATABASE_URL: 'postgresql://u:p@127.0.0.1:1/db', TEMPORAL_ADDRESS: '127.0.0.1:1' }, /^consentline: DATABASE_URL: cannot /],
    ['an unknown LOG_LEVEL', { LOG_LEVEL: 'loud' }, /^consentline: LOG_LEVEL: /],
    ['an unreachable TEMPORAL_ADDRESS', { TEMPORAL_ADDRESS: '127.0.0.1:1' }, /^consentline: TEMPORAL_ADDRESS: cannot reach Temporal at 127\.0\.0\.1:1/],
    ['a bad PORT', { PORT: 'eighty' }, /^consentline: PORT: /],
  ])('ends with one line naming the setting and a non-zero exit for %s', async (_what, env, line) => {
    const r = run(['src/main.ts'], { DATA_DIR: dataDir, LOG_LEVEL: 'silent', TEMPORAL_PORT: String(await freePort()), ...env });
    const code = await r.exited;
    expect(code).not.toBe(0);
    const lines = r.output().trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(line);
  }, 60_000);
});
