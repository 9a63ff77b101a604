// Delivery progress of an outbound message as its row records it. Carrier
// statuses arrive out of order (status callbacks race each other and the send
// itself), so a status only ever moves forward.
import type { MessageStatus } from './types.js';

const RANK: Readonly<Record<string, number>> = {
  pending: 0,
  sending: 1,
  unknown: 1,
  queued: 2,
  sent: 3,
  delivered: 4,
  undelivered: 4,
  failed: 4,
};

/** The row status for a carrier status; null for statuses that say nothing about an outbound text. */
export function rowStatusOf(carrierStatus: MessageStatus | string): string | null {
  switch (carrierStatus) {
    case 'accepted':
    case 'scheduled':
    case 'queued':
    case 'sending':
      // The row's own 'sending' means "a send attempt is in flight"; the carrier's is just queued.
      return 'queued';
    case 'sent':
    case 'partially_delivered':
      return 'sent';
    case 'delivered':
    case 'read':
      return 'delivered';
    case 'undelivered':
      return 'undelivered';
    case 'failed':
    case 'canceled':
      return 'failed';
    default:
      return null;
  }
}

/** Row statuses a message may move from to reach `next`. */
export function statusesBefore(next: string): string[] {
  const rank = RANK[next] ?? 0;
  return Object.keys(RANK).filter((s) => (RANK[s] ?? 0) < rank);
}

/** The further of two row statuses; the first wins a tie (a terminal status stays). */
export function furthest(a: string, b: string): string {
  return (RANK[b] ?? 0) > (RANK[a] ?? 0) ? b : a;
}
