// How every caller (API, webhooks, imports) starts a subscriber's lifecycle:
// the same ID, queue, search attributes and UI summary, whoever starts it.
// Pure, no Node built-ins: usable from workflows and clients alike.
import type { TypedSearchAttributes, SearchAttributePair } from '@temporalio/common';
import { subscriberWorkflowId, searchAttributes } from '../temporal/shared.js';
import type { LifecycleInput } from './messages.js';

export interface LifecycleStartInput {
  programId: string;
  subscriberId: string;
  /** Keyed hash of the E.164 number (src/identity.ts), never the number. */
  phoneHash: string;
  /** ISO 3166-1 alpha-2 of the number. */
  country: string;
  taskQueue: string;
}

export interface LifecycleStartOptions {
  workflowId: string;
  taskQueue: string;
  args: [LifecycleInput];
  typedSearchAttributes: SearchAttributePair[] | TypedSearchAttributes;
  staticSummary: string;
  staticDetails: string;
}

export function lifecycleStartOptions(input: LifecycleStartInput): LifecycleStartOptions {
  return {
    workflowId: subscriberWorkflowId(input.programId, input.phoneHash),
    taskQueue: input.taskQueue,
    args: [{ subscriberId: input.subscriberId, programId: input.programId }],
    typedSearchAttributes: [
      { key: searchAttributes.program, value: input.programId },
      { key: searchAttributes.consentState, value: 'new' },
      { key: searchAttributes.country, value: input.country },
    ],
    staticSummary: `Subscriber ${input.subscriberId} of ${input.programId}`,
    staticDetails: [
      `**Subscriber** \`${input.subscriberId}\` of program \`${input.programId}\` (${input.country}).`,
      '',
      'Owns this person\'s consent and every text sent to them. The `state` query shows the consent state,',
      'queued and held texts, deadlines and the reminder clock; the consent ledger holds the audit trail.',
    ].join('\n'),
  };
}
