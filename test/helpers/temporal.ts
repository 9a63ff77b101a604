// Real Temporal servers for tests: the CLI dev server (createLocal) and the Java
// time-skipping test server (createTimeSkipping), both from the binaries that
// scripts/tools.sh provides. No mocks of Temporal.
import { execFileSync } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { allSearchAttributeKeys } from '../../src/temporal/shared.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

function tool(kind: 'cli' | 'test-server'): string {
  const path = execFileSync('bash', [resolve(root, 'scripts/tools.sh'), kind], { encoding: 'utf8' }).trim();
  if (!path) {
    throw new Error(`scripts/tools.sh ${kind} found no binary`);
  }
  return path;
}

export interface DevServerOptions {
  /** Extra `--dynamic-config-value KEY=JSON` entries, e.g. a low continue-as-new threshold. */
  dynamicConfig?: Record<string, unknown>;
}

/** The Temporal CLI dev server, in memory, with consentline's search attributes. */
export async function createDevServer(options: DevServerOptions = {}): Promise<TestWorkflowEnvironment> {
  const extraArgs = Object.entries(options.dynamicConfig ?? {}).flatMap(([k, v]) => [
    '--dynamic-config-value',
    `${k}=${JSON.stringify(v)}`,
  ]);
  return withStartRetries(() => TestWorkflowEnvironment.createLocal({
    server: {
      executable: { type: 'existing-path', path: tool('cli') },
      searchAttributes: allSearchAttributeKeys,
      extraArgs: ['--sqlite-pragma', 'journal_mode=WAL', '--sqlite-pragma', 'synchronous=OFF', ...extraArgs],
    },
  }));
}

/** The Java time-skipping test server, with consentline's search attributes added over gRPC. */
export async function createTimeSkippingServer(): Promise<TestWorkflowEnvironment> {
  const env = await withStartRetries(() =>
    TestWorkflowEnvironment.createTimeSkipping({
      server: { executable: { type: 'existing-path', path: tool('test-server') } },
    }),
  );
  await env.connection.operatorService.addSearchAttributes({
    namespace: env.namespace ?? 'default',
    searchAttributes: Object.fromEntries(allSearchAttributeKeys.map((k) => [k.name, 2 /* KEYWORD */])),
  });
  return env;
}

/**
 * The SDK gives a server 5 seconds to bind its port; on a busy 2-core machine
 * (parallel test files, a JVM starting) that is sometimes not enough.
 */
async function withStartRetries(start: () => Promise<TestWorkflowEnvironment>, attempts = 3): Promise<TestWorkflowEnvironment> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await start();
    } catch (err) {
      const slowStart = err instanceof Error && /did not start within|Failed to connect to Temporal server/.test(err.message);
      if (!slowStart || attempt >= attempts) {
        throw err;
      }
    }
  }
}
