// Names shared by workers, clients and tests: task queues, workflow IDs and
// search-attribute keys. Imported from workflow code too, so it stays free of
// Node built-ins.
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

export const DEFAULT_TASK_QUEUE = 'consentline';

/** Carrier sends run on their own queue so a rate limit can pace them. */
export function sendTaskQueue(base: string, senderKey: string): string {
  return `${base}-send-${senderKey}`;
}

/** One lifecycle per (program, phone): the phone only appears as its keyed hash. */
export function subscriberWorkflowId(programId: string, phoneHash: string): string {
  return `subscriber-${programId}-${phoneHash}`;
}

export function campaignWorkflowId(campaignId: string): string {
  return `campaign-${campaignId}`;
}

export function policyChangeWorkflowId(changeId: string): string {
  return `policy-change-${changeId}`;
}

export const searchAttributes = {
  program: defineSearchAttributeKey('ConsentlineProgram', SearchAttributeType.KEYWORD),
  consentState: defineSearchAttributeKey('ConsentlineState', SearchAttributeType.KEYWORD),
  country: defineSearchAttributeKey('ConsentlineCountry', SearchAttributeType.KEYWORD),
} as const;

export const allSearchAttributeKeys = Object.values(searchAttributes);
