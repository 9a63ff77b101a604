// `npm run api` as a process: one-line start-up errors with a non-zero exit,
// the bootstrap admin key, and a clean stop on SIGTERM.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate } from '../../src/db/migrate.js';
import { installNetworkGuard } from '../helpers/api.js';
import { createDevServer } from '../helpers/temporal.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const tsx = join(root, 'node_modules', '.bin', 'tsx');
const BOOTSTRAP = 'bootstrap-admin-key-for-tests-0123456789';

let env: TestWorkflowEnvironment;
let dataDir: string;

function run(extraEnv: Record<string, string>): { child: ChildProcess; output: () => string; exit: Promise<number | null> } {
  let output = '';
  const child = spawn(tsx, ['src/api/server.ts'], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', TZ: 'UTC', LOG_LEVEL: 'silent', DATA_DIR: dataDir, ...extraEnv },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const exit = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  return { child, output: () => output, exit };
}

beforeAll(async () => {
  installNetworkGuard();
  env = await createDevServer();
  dataDir = mkdtempSync(join(tmpdir(), 'consentline-api-'));
  await migrate(`file:${join(dataDir, 'consentline.db')}`);
});

afterAll(async () => {
  await env?.teardown();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('npm run api', () => {
  it('names a bad setting in one line and exits 1', async () => {
    const p = run({ PORT: 'eighty' });
    expect(await p.exit).toBe(1);
    expect(p.output().trim()).toMatch(/^consentline: PORT: .+$/);
  });

  it('names an unreachable Temporal in one line and exits 1', async () => {
    const p = run({ TEMPORAL_ADDRESS: '127.0.0.1:1' });
    expect(await p.exit).toBe(1);
    expect(p.output().trim().split('\n')).toHaveLength(1);
    expect(p.output()).toMatch(/^consentline: TEMPORAL_ADDRESS: cannot reach Temporal at 127\.0\.0\.1:1/);
  });

  it('serves with the bootstrap admin key and stops cleanly on SIGTERM', async () => {
    const port = 20_000 + Math.floor(Math.random() * 20_000);
    const p = run({ TEMPORAL_ADDRESS: env.address, PORT: String(port), BOOTSTRAP_ADMIN_KEY: BOOTSTRAP });
    const base = `http://127.0.0.1:${port}`;
    let ready: Response | null = null;
    for (let i = 0; i < 100 && !ready; i += 1) {
      ready = await fetch(`${base}/readyz`).catch(() => null);
      if (!ready) {
        await new Promise((r) => setTimeout(r, 200));
      }
    }
    expect(ready?.status).toBe(200);
    const keys = await fetch(`${base}/v1/keys`, { headers: { authorization: `Bearer ${BOOTSTRAP}` } });
    expect(keys.status).toBe(200);
    const body = (await keys.json()) as { items: Array<{ role: string; name: string }> };
    expect(body.items).toEqual([expect.objectContaining({ role: 'admin', name: 'bootstrap admin' })]);
    expect((await fetch(`${base}/v1/keys`, { headers: { authorization: 'Bearer wrong-wrong-wrong-wrong-wrong' } })).status).toBe(401);

    p.child.kill('SIGTERM');
    expect(await p.exit).toBe(0);
  });
});
