import type { MessageCategory, MessageKind } from './types.js';

/**
 * Replies to something the subscriber just did. A single text sent straight after the consumer asks
 * for it, with only what was asked for, is not telemarketing (FCC 2015 call-to-action ruling), and
 * CTIA wants HELP and STOP answered at once, even to non-subscribers.
 */
const REPLY_KINDS: ReadonlySet<MessageKind> = new Set<MessageKind>([
  'confirmation_request',
  'welcome',
  'help',
  'stop_confirmation',
  'clarification',
]);

/**
 * Kinds counted against the per-24-hour caps. Fla. Stat. 501.059 counts calls "for the purpose of
 * soliciting a sale" or obtaining information used for solicitation, so a request to renew marketing
 * consent counts; a bare opt-out reminder or a policy notice sells nothing and does not.
 */
const CAPPED_KINDS: ReadonlySet<MessageKind> = new Set<MessageKind>(['marketing', 'reconsent']);

export function isReplyKind(kind: MessageKind): boolean {
  return REPLY_KINDS.has(kind);
}

/** Replies and emergencies go out at once; everything else waits for the send window. */
export function isHeldByWindows(kind: MessageKind): boolean {
  return !REPLY_KINDS.has(kind) && kind !== 'emergency';
}

export function isCapped(kind: MessageKind): boolean {
  return CAPPED_KINDS.has(kind);
}

/** The consent category a message kind needs; null when no consent record is needed at all. */
export function consentCategoryOf(kind: MessageKind): MessageCategory | null {
  switch (kind) {
    case 'marketing':
    case 'reconsent':
      // CASL: a request for consent is itself a commercial message, so it needs live consent.
      return 'marketing';
    case 'transactional':
      return 'transactional';
    case 'informational':
    case 'reminder':
    case 'policy_notice':
    case 'welcome':
      return 'informational';
    default:
      return null;
  }
}
