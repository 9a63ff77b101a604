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
  activities: object;
  logger: Logger;
  /** How often the Program table is re-read for new or changed senders. */
  refreshEveryMs?: number;
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
      activities: this.options.activities,
      maxTaskQueueActivitiesPerSecond: sender.messagesPerSecond,
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
