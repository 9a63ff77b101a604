import { isCapped } from './kinds.js';
import { nextAllowedSendTime } from './windows.js';
import { HOUR } from './zone-clock.js';
import type { Jurisdiction, MessageKind, ProgramRules } from './types.js';

export interface SendSlot {
  at: Date;
  allowedNow: boolean;
  rule: string;
  reason: string;
}

interface Cap {
  rule: string;
  count: number;
  windowMs: number;
  label: string;
}

/**
 * State limits on solicitations per rolling 24 hours, counted across all of the seller's numbers.
 * The statutes say "on the same subject"; every capped send to the recipient is counted, which is the
 * stricter reading.
 */
const STATE_CAPS: Record<string, Cap> = {
  'US-FL': { rule: 'us-fl-cap', count: 3, windowMs: 24 * HOUR, label: 'Fla. Stat. 501.616(6): at most 3 per 24 h' },
  'US-OK': { rule: 'us-ok-cap', count: 3, windowMs: 24 * HOUR, label: '15 O.S. 775C.4: at most 3 per 24 h' },
  'US-MD': { rule: 'us-md-cap', count: 3, windowMs: 24 * HOUR, label: 'Md. Stop the Spam Calls Act: at most 3 per 24 h' },
};

/** A US number whose state is unknown might be in Florida, Oklahoma or Maryland. */
const UNKNOWN_STATE_CAP: Cap = {
  rule: 'us-state-cap',
  count: 3,
  windowMs: 24 * HOUR,
  label: 'state unknown: the Florida/Oklahoma/Maryland limit of 3 per 24 h applies',
};

/**
 * Earliest instant at or after `now` when one more capped message fits under every limit: the
 * recipient's state cap (every state cap when the state is unknown) and the program's own cap.
 * Only marketing and re-consent requests count (see kinds.ts).
 */
export function nextCapSlot(
  now: Date,
  sentMarketingAt: Date[],
  recipient: Jurisdiction,
  program: Pick<ProgramRules, 'frequencyCap'>,
  kind: MessageKind,
): SendSlot {
  if (!isCapped(kind)) {
    return { at: now, allowedNow: true, rule: 'cap-not-applicable', reason: `${kind} messages are not counted against frequency caps` };
  }
  const caps = capsFor(recipient, program);
  if (caps.length === 0) {
    return { at: now, allowedNow: true, rule: 'no-cap', reason: 'no frequency cap applies' };
  }
  const sent = sentMarketingAt.map((date) => date.getTime()).sort((a, b) => a - b);
  let binding = { at: now.getTime(), cap: caps[0] as Cap, used: 0 };
  for (const cap of caps) {
    const { at, used } = slotUnder(cap, sent, now.getTime());
    if (at > binding.at || (at === binding.at && used / cap.count > binding.used / binding.cap.count)) {
      binding = { at, cap, used };
    }
  }
  return describe(now.getTime(), binding);
}

function capsFor(recipient: Jurisdiction, program: Pick<ProgramRules, 'frequencyCap'>): Cap[] {
  const state = recipient.region ? STATE_CAPS[recipient.region] : undefined;
  const unknownUsState = recipient.country === 'US' && recipient.region === null;
  const caps = unknownUsState ? [UNKNOWN_STATE_CAP] : state ? [state] : [];
  const own = program.frequencyCap;
  if (own && own.count > 0 && own.perHours > 0) {
    caps.push({ rule: 'program-frequency-cap', count: own.count, windowMs: own.perHours * HOUR, label: `program cap: at most ${own.count} per ${own.perHours} h` });
  }
  return caps;
}

/**
 * A send at t is allowed when fewer than `count` capped sends fall in (t - window, t]. With the sends
 * sorted, the slot opens when the count-th most recent one leaves the window.
 */
function slotUnder(cap: Cap, sent: number[], now: number): { at: number; used: number } {
  const inWindow = sent.filter((t) => t > now - cap.windowMs);
  if (inWindow.length < cap.count) {
    return { at: now, used: inWindow.length };
  }
  const oldestThatMustExpire = inWindow[inWindow.length - cap.count] as number;
  return { at: Math.max(now, oldestThatMustExpire + cap.windowMs), used: inWindow.length };
}

function describe(now: number, binding: { at: number; cap: Cap; used: number }): SendSlot {
  const { at, cap, used } = binding;
  const allowedNow = at === now;
  const reason = allowedNow
    ? `${used} of ${cap.count} capped messages used (${cap.label})`
    : `${used} capped messages already sent within the window (${cap.label}); next slot ${new Date(at).toISOString()}`;
  return { at: new Date(at), allowedNow, rule: cap.rule, reason };
}

const MAX_PLAN_ROUNDS = 16;

/**
 * The earliest instant satisfying both the send windows and the caps. Each moves the time forward
 * only, so alternating them reaches a fixed point; the rule reported is the last one that moved it.
 */
export function planSend(
  now: Date,
  input: {
    recipient: Jurisdiction;
    program: Pick<ProgramRules, 'quietHours' | 'frequencyCap'>;
    kind: MessageKind;
    sentMarketingAt: Date[];
  },
): SendSlot {
  const { recipient, program, kind, sentMarketingAt } = input;
  let at = now;
  let decider: SendSlot | null = null;
  for (let round = 0; round < MAX_PLAN_ROUNDS; round++) {
    const window = nextAllowedSendTime(at, recipient, program, kind);
    const cap = nextCapSlot(window.at, sentMarketingAt, recipient, program, kind);
    decider = !window.allowedNow ? window : decider;
    decider = !cap.allowedNow ? cap : decider;
    if (cap.at.getTime() === window.at.getTime() && window.allowedNow) {
      return finalSlot(now, cap.at, decider ?? window, cap);
    }
    at = cap.at;
  }
  throw new RangeError(`send windows and caps did not settle within ${MAX_PLAN_ROUNDS} rounds`);
}

function finalSlot(now: Date, at: Date, decider: SendSlot, cap: SendSlot): SendSlot {
  const allowedNow = at.getTime() === now.getTime();
  if (allowedNow) {
    return { at, allowedNow, rule: decider.rule, reason: `${decider.reason}; ${cap.reason}` };
  }
  return { at, allowedNow, rule: decider.rule, reason: decider.reason };
}
