// How carrier failures are classified and how the send activity is scheduled.
// Pure: the lifecycle workflow imports SEND_ACTIVITY_OPTIONS from here.
import type { ActivityOptions } from '@temporalio/common';

/** Failure types the send activity raises, for the workflow to tell apart. */
export const SEND_FAILURE = {
  /** The carrier asked us to slow down; retried after its Retry-After. */
  rateLimited: 'CarrierRateLimited',
  /** Handset unreachable, unknown carrier error, 5xx or network: retried a few times. */
  transient: 'CarrierTransient',
  /** Transient failures kept coming; the text was not sent. */
  unavailable: 'CarrierUnavailable',
  /** The outbound message row does not exist (a bug upstream, not a carrier problem). */
  missingMessage: 'OutboundMessageMissing',
} as const;

/** Attempts for transient carrier failures before the send gives up. */
export const TRANSIENT_SEND_ATTEMPTS = 4;

/**
 * Options for the sendMessage activity. No schedule-to-close or schedule-to-start
 * timeout: a paced queue may hold a campaign's sends for hours, and waiting in
 * the queue is not a failure. Retries are bounded by maximumAttempts (rate
 * limits) and by TRANSIENT_SEND_ATTEMPTS inside the activity (carrier trouble).
 * startToClose is well above the carrier HTTP timeout, so a timed-out attempt
 * has finished talking to the carrier before the next one reconciles.
 */
export const SEND_ACTIVITY_OPTIONS = {
  startToCloseTimeout: '45s',
  retry: {
    initialInterval: '2s',
    backoffCoefficient: 2,
    maximumInterval: '2m',
    maximumAttempts: 12,
    nonRetryableErrorTypes: [SEND_FAILURE.unavailable, SEND_FAILURE.missingMessage],
  },
} satisfies ActivityOptions;

/** HTTP timeout for one carrier request; keep it well under startToCloseTimeout. */
export const CARRIER_HTTP_TIMEOUT_MS = 15_000;

export type CarrierErrorClass = 'opted_out' | 'rejected' | 'rate_limited' | 'transient';

/** Twilio codes that say this text to this number will never go through as is (regulations.md §5). */
const REJECTED_CODES = new Set(['21211', '21614', '21408', '21635', '30004', '30005', '30006', '30007']);
/** Codes worth a few more tries: unreachable handset, unknown carrier error. */
const TRANSIENT_CODES = new Set(['30003', '30008']);

/**
 * The class of a carrier failure. 21610 is the recipient's STOP held by the
 * carrier; 20429 (HTTP 429) was never processed. Codes outside the lists follow
 * the HTTP status: 5xx, timeouts and refused connections are transient, account
 * problems (401/403) too, so fixing credentials lets the queue drain; any other
 * 4xx refuses this one text.
 */
export function classifyCarrierError(code: string, httpStatus: number | null): CarrierErrorClass {
  if (code === '21610') {
    return 'opted_out';
  }
  if (code === '20429' || httpStatus === 429) {
    return 'rate_limited';
  }
  if (REJECTED_CODES.has(code)) {
    return 'rejected';
  }
  if (TRANSIENT_CODES.has(code) || httpStatus === null || httpStatus >= 500 || httpStatus === 401 || httpStatus === 403) {
    return 'transient';
  }
  return 'rejected';
}

/**
 * True when a failed request may still have created the message: no answer at
 * all, or a server error from somewhere between us and the carrier's database.
 * A 4xx answer means the carrier looked at the request and refused it.
 */
export function outcomeUnknown(httpStatus: number | null): boolean {
  return httpStatus === null || httpStatus >= 500;
}

/** Our own words for carrier codes: Twilio's messages can quote the number, so they stay out of Temporal. */
const CODE_REASONS: Readonly<Record<string, string>> = {
  '21610': 'the recipient opted out at the carrier (replied STOP)',
  '21211': "invalid 'To' number",
  '21614': "'To' is not a mobile number",
  '21635': "'To' is a landline",
  '21408': 'destination country not enabled for this account',
  '30003': 'handset unreachable',
  '30004': 'message blocked by the recipient or the carrier',
  '30005': 'unknown or inactive destination handset',
  '30006': 'landline or unreachable carrier',
  '30007': 'message filtered by the carrier',
  '30008': 'unknown carrier error',
  '20429': 'carrier API rate limit',
  network: 'carrier not reachable',
  erased: 'the subscriber or the text was erased before sending',
  consent_withdrawn: 'consent was withdrawn before the text went out',
};

export function carrierReason(code: string, httpStatus: number | null = null): string {
  return CODE_REASONS[code] ?? `carrier refused the text (code ${code}${httpStatus ? `, HTTP ${httpStatus}` : ''})`;
}
