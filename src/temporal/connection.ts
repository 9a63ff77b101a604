// Connections to Temporal from the configuration: plain for the embedded dev
// server, TLS (client certificate) or API key for a cluster or Temporal Cloud.
import { readFileSync } from 'node:fs';
import { Client, Connection, type ConnectionOptions } from '@temporalio/client';
import { NativeConnection, type NativeConnectionOptions } from '@temporalio/worker';
import type { Config } from '../config.js';

type TemporalSettings = Pick<
  Config,
  | 'TEMPORAL_ADDRESS'
  | 'TEMPORAL_NAMESPACE'
  | 'TEMPORAL_API_KEY'
  | 'TEMPORAL_TLS_CERT'
  | 'TEMPORAL_TLS_KEY'
  | 'TEMPORAL_TLS_CA'
  | 'TEMPORAL_TLS_SERVER_NAME'
  | 'TEMPORAL_PORT'
>;

export function temporalAddress(c: TemporalSettings): string {
  return c.TEMPORAL_ADDRESS ?? `127.0.0.1:${c.TEMPORAL_PORT}`;
}

function connectionOptions(c: TemporalSettings): ConnectionOptions & NativeConnectionOptions {
  const pem = (v: string) => (v.includes('-----BEGIN') ? Buffer.from(v) : readFileSync(v));
  const tls =
    c.TEMPORAL_TLS_CERT && c.TEMPORAL_TLS_KEY
      ? {
          clientCertPair: { crt: pem(c.TEMPORAL_TLS_CERT), key: pem(c.TEMPORAL_TLS_KEY) },
          ...(c.TEMPORAL_TLS_CA ? { serverRootCACertificate: pem(c.TEMPORAL_TLS_CA) } : {}),
          ...(c.TEMPORAL_TLS_SERVER_NAME ? { serverNameOverride: c.TEMPORAL_TLS_SERVER_NAME } : {}),
        }
      : c.TEMPORAL_API_KEY
        ? true
        : undefined;
  return {
    address: temporalAddress(c),
    ...(tls ? { tls } : {}),
    ...(c.TEMPORAL_API_KEY ? { apiKey: c.TEMPORAL_API_KEY } : {}),
  };
}

export class TemporalUnreachableError extends Error {}

/** A client connection; fails fast with the address when the server cannot be reached. */
export async function connectClient(c: TemporalSettings): Promise<Client> {
  try {
    const connection = await Connection.connect({ ...connectionOptions(c), connectTimeout: '5s' });
    await connection.workflowService.getSystemInfo({});
    return new Client({ connection, namespace: c.TEMPORAL_NAMESPACE });
  } catch (err) {
    throw new TemporalUnreachableError(`TEMPORAL_ADDRESS: cannot reach Temporal at ${temporalAddress(c)} (${(err as Error).message.split('\n')[0]})`);
  }
}

export async function connectWorker(c: TemporalSettings): Promise<NativeConnection> {
  try {
    return await NativeConnection.connect(connectionOptions(c));
  } catch (err) {
    throw new TemporalUnreachableError(`TEMPORAL_ADDRESS: cannot reach Temporal at ${temporalAddress(c)} (${(err as Error).message.split('\n')[0]})`);
  }
}
