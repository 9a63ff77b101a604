// The embedded Temporal: the CLI dev server persisting to a SQLite file under
// the data folder, with the Web UI and consentline's search attributes.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { allSearchAttributeKeys } from './shared.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

export interface DevServer {
  address: string;
  uiUrl: string;
  stop(): Promise<void>;
}

export async function findTemporalCli(): Promise<string> {
  const { stdout } = await promisify(execFile)('bash', [join(root, 'scripts/tools.sh'), 'cli'], {
    maxBuffer: 1 << 20,
  });
  const path = stdout.trim();
  if (!path) {
    throw new Error('no Temporal CLI found and none could be built (install Go, or set TEMPORAL_CLI_PATH)');
  }
  return path;
}

function portOpen(port: number): Promise<boolean> {
  return new Promise((done) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      done(true);
    });
    socket.once('error', () => done(false));
  });
}

async function waitForPort(port: number, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) {
      throw new Error(`the Temporal dev server exited with code ${child.exitCode}`);
    }
    if (await portOpen(port)) {
      return;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`the Temporal dev server did not open port ${port} within ${timeoutMs / 1000}s`);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * A dev server left behind by a previous run that was killed (kill -9 gives
 * no chance to stop the child) still holds the ports and the database file.
 * It is ours when its command line names our database file: stop it, so this
 * run can start its own on the same data.
 */
async function stopLeftover(pidFile: string, dbFile: string): Promise<void> {
  if (!existsSync(pidFile)) {
    return;
  }
  const pid = Number(readFileSync(pidFile, 'utf8').trim());
  const cmdline = Number.isInteger(pid) && existsSync(`/proc/${pid}/cmdline`) ? readFileSync(`/proc/${pid}/cmdline`, 'utf8') : '';
  if (alive(pid) && cmdline.includes(dbFile)) {
    process.kill(pid, 'SIGTERM');
    for (let i = 0; i < 100 && alive(pid); i += 1) {
      await new Promise((r) => setTimeout(r, 100));
    }
    if (alive(pid)) {
      process.kill(pid, 'SIGKILL');
    }
  }
  rmSync(pidFile, { force: true });
}

export async function startDevServer(opts: { dataDir: string; port: number; uiPort: number }): Promise<DevServer> {
  const dbFile = resolve(opts.dataDir, 'temporal.db');
  const pidFile = resolve(opts.dataDir, 'temporal-dev.pid');
  await stopLeftover(pidFile, dbFile);
  if (await portOpen(opts.port)) {
    throw new Error(`port ${opts.port} is already in use: stop what runs there, or set TEMPORAL_ADDRESS to use it`);
  }
  const cli = await findTemporalCli();
  const args = [
    'server',
    'start-dev',
    '--ip', '127.0.0.1',
    '--port', String(opts.port),
    '--ui-port', String(opts.uiPort),
    '--db-filename', dbFile,
    '--log-level', 'error',
    ...allSearchAttributeKeys.flatMap((k) => ['--search-attribute', `${k.name}=Keyword`]),
  ];
  const child = spawn(cli, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  writeFileSync(pidFile, `${child.pid ?? ''}\n`);
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  try {
    await waitForPort(opts.port, child, 60_000);
  } catch (err) {
    child.kill('SIGKILL');
    throw new Error(`${(err as Error).message}\n${stderr}`);
  }
  return {
    address: `127.0.0.1:${opts.port}`,
    uiUrl: `http://localhost:${opts.uiPort}`,
    async stop() {
      if (child.exitCode !== null) {
        return;
      }
      const exited = new Promise<void>((r) => child.once('exit', () => r()));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
      rmSync(pidFile, { force: true });
    },
  };
}
