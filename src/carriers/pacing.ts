// Per-sender pacing. Every physical sender (a number, a short code, a
// Messaging Service) gets its own send task queue, and this pool runs one
// activity-only worker per queue with maxTaskQueueActivitiesPerSecond set to
// the sender's rate: the Temporal server then hands out at most that many
// sends per second across every worker process. Senders are read from the
// Program table and re-read periodically, so a new program's number starts
// draining without a restart.
import { Worker, type NativeConnection } from '@temporalio/worker';
import type { Db } from '../db/client.js';
import type { Logger } from '../logger.js';
import { sendTaskQueue } from '../temporal/shared.js';
import { messagesPerSecond, SenderConfigError, senderKey, type SenderProgram } from './sender.js';

export { messagesPerSecond, senderKey } from './sender.js';

export interface PacedSender {
  key: string;
  taskQueue: string;
  messagesPerSecond: number;
}

export interface SenderWorkerPoolOptions {
  connection: NativeConnection;
  namespace?: string;
  db: Db;
  /** Base task queue; each sender's queue is sendTaskQueue(base, key). */
  baseTaskQueue: string;
  /** The send activities (createSendActivities). */
  activities: Activities;
  logger: Logger;
  /** How often the Program table is re-read for new or changed senders. */
  refreshEveryMs?: number;
}

/** Server-side queue limit over the sender's rate (see launch()). */
export const SERVER_RATE_HEADROOM = 4 / 3;

type Activities = Record<string, (...args: never[]) => Promise<unknown>>;

/** Starts at most `perSecond` calls a second, evenly spaced, whatever the burst offered. */
export class SpacingGate {
  private next = 0;
  private readonly intervalMs: number;

  constructor(perSecond: number) {
    this.intervalMs = 1000 / perSecond;
  }

  async wait(): Promise<void> {
    const now = Date.now();
    const at = Math.max(now, this.next);
    this.next = at + this.intervalMs;
    if (at > now) {
      await new Promise((r) => setTimeout(r, at - now));
    }
  }
}

function spaced(activities: Activities, perSecond: number): Activities {
  const gate = new SpacingGate(perSecond);
  return Object.fromEntries(
    Object.entries(activities).map(([name, fn]) => [
      name,
      async (...args: never[]) => {
        await gate.wait();
        return fn(...args);
      },
    ]),
  );
}

interface Running {
  sender: PacedSender;
  worker: Worker;
  done: Promise<void>;
}

/** Distinct senders of all programs; programs sharing a sender share its slowest rate. */
export async function discoverSenders(db: Db, baseTaskQueue: string, logger: Logger): Promise<PacedSender[]> {
  const programs: (SenderProgram & { id: string })[] = await db.program.findMany({
    select: { id: true, senderType: true, senderValue: true, messagesPerSecond: true },
  });
  const senders = new Map<string, PacedSender>();
  for (const program of programs) {
    try {
      const key = senderKey(program);
      const rate = messagesPerSecond(program);
      const known = senders.get(key);
      senders.set(key, { key, taskQueue: sendTaskQueue(baseTaskQueue, key), messagesPerSecond: known ? Math.min(known.messagesPerSecond, rate) : rate });
    } catch (err) {
      if (!(err instanceof SenderConfigError)) {
        throw err;
      }
      logger.error({ programId: program.id, err: err.message }, 'program sender is misconfigured; its texts cannot be sent');
    }
  }
  return [...senders.values()];
}

export class SenderWorkerPool {
  private readonly running = new Map<string, Running>();
  private timer: NodeJS.Timeout | null = null;
  private chain: Promise<unknown> = Promise.resolve();
  private stopped = false;

  constructor(private readonly options: SenderWorkerPoolOptions) {}

  /** Starts a worker for every sender known now, then keeps watching for new ones. */
  async start(): Promise<PacedSender[]> {
    const senders = await this.refresh();
    this.timer = setInterval(() => {
      this.refresh().catch((err: unknown) => this.options.logger.error({ err: (err as Error).message }, 'sender discovery failed'));
    }, this.options.refreshEveryMs ?? 30_000);
    this.timer.unref();
    return senders;
  }

  /** Re-reads the senders; starts workers for new ones and restarts those whose rate changed. */
  refresh(): Promise<PacedSender[]> {
    const next = this.chain.then(() => this.reconcile());
    this.chain = next.catch(() => undefined);
    return next;
  }

  senders(): PacedSender[] {
    return [...this.running.values()].map((r) => r.sender);
  }

  /** Stops watching and shuts every sender worker down, letting in-flight sends finish. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) {
      clearInterval(this.timer);
    }
    await this.chain;
    await Promise.all([...this.running.values()].map((r) => this.shutdown(r)));
    this.running.clear();
  }

  private async reconcile(): Promise<PacedSender[]> {
    if (this.stopped) {
      return this.senders();
    }
    const wanted = await discoverSenders(this.options.db, this.options.baseTaskQueue, this.options.logger);
    for (const sender of wanted) {
      const current = this.running.get(sender.key);
      if (current && current.sender.messagesPerSecond === sender.messagesPerSecond) {
        continue;
      }
      if (current) {
        await this.shutdown(current);
      }
      await this.launch(sender);
    }
    return this.senders();
  }

  private async launch(sender: PacedSender): Promise<void> {
    const worker = await Worker.create({
      connection: this.options.connection,
      ...(this.options.namespace ? { namespace: this.options.namespace } : {}),
      taskQueue: sender.taskQueue,
      // The gate spaces this process's sends at the sender's rate. The server-side
      // limit bounds the sum over every worker process; set to the rate alone it
      // delivered about 75% of it in bench/pacing.ts, hence the headroom. Slots
      // for about five seconds of sends absorb the server's bursts without
      // holding tasks long against their start-to-close timeout.
      maxTaskQueueActivitiesPerSecond: sender.messagesPerSecond * SERVER_RATE_HEADROOM,
      maxConcurrentActivityTaskExecutions: Math.max(4, Math.ceil(sender.messagesPerSecond * 5)),
      activities: spaced(this.options.activities, sender.messagesPerSecond),
      shutdownGraceTime: '10s',
    });
    const done = worker.run().catch((err: unknown) => {
      // A worker that died is forgotten, so the next refresh starts it again.
      this.options.logger.error({ taskQueue: sender.taskQueue, err: (err as Error).message }, 'sender worker stopped with an error');
      if (this.running.get(sender.key)?.worker === worker) {
        this.running.delete(sender.key);
      }
    });
    this.running.set(sender.key, { sender, worker, done });
    this.options.logger.info({ taskQueue: sender.taskQueue, messagesPerSecond: sender.messagesPerSecond }, 'sender worker started');
  }

  private async shutdown(r: Running): Promise<void> {
    if (r.worker.getState() === 'RUNNING') {
      r.worker.shutdown();
    }
    await r.done;
  }
}
