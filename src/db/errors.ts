// Database errors in one place. With driver adapters the database's own text
// (e.g. a trigger's message) sits in the error's meta, not its message.

export function databaseMessage(err: unknown): string {
  if (!(err instanceof Error)) {
    return String(err);
  }
  const meta = (err as { meta?: { driverAdapterError?: { cause?: { originalMessage?: string } } } }).meta;
  const original = meta?.driverAdapterError?.cause?.originalMessage;
  return original ? `${err.message}\n${original}` : err.message;
}

/** True for a unique-constraint violation (Prisma P2002) on either provider. */
export function isUniqueViolation(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === 'P2002';
}
