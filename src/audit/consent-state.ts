// The consent state that the ledger alone proves: its events folded in order.
// Replay compares it with the workflow's own state and the subscriber row, so
// a lifecycle that changed state without recording why is caught.
import type { LedgerEventType } from '../ledger/ledger.js';
import type { ConsentState } from '../workflows/messages.js';

export type LedgerState = ConsentState | 'erased';

/** Events that set the state; the others (texts sent, HELP) leave it as it was. */
const transitions: Partial<Record<LedgerEventType, LedgerState>> = {
  opt_in_requested: 'pending',
  confirmation_requested: 'pending',
  // A comeback after an opt-out is a new opt-in: confirmed next, at once or by reply.
  resubscribed: 'pending',
  confirmed: 'active',
  confirmation_expired: 'expired',
  opted_out: 'opted_out',
  carrier_opt_out: 'opted_out',
  reconsent_prompted: 'paused',
  reconsent_given: 'active',
  reconsent_lapsed: 'lapsed',
  consent_expired: 'expired',
  // Not final: a new opt-in after an erasure starts a new consent.
  erased: 'erased',
};

export function nextState(state: LedgerState, type: string): LedgerState {
  if (type === 'opt_in_refused') {
    // A refused attempt does not undo consent that already holds.
    return state === 'active' || state === 'paused' ? state : 'refused';
  }
  if (type === 'opt_in_requested' && (state === 'active' || state === 'paused')) {
    // Asking again while subscribed leaves the existing consent in force.
    return state;
  }
  return transitions[type as LedgerEventType] ?? state;
}

export function foldConsentState(events: Iterable<{ type: string }>): LedgerState {
  let state: LedgerState = 'new';
  for (const e of events) {
    state = nextState(state, e.type);
  }
  return state;
}
