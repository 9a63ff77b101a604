// A program's sender: the carrier configuration, the pacing key and the rate.
// Pure (no Node built-ins), so a workflow can compute the send task queue.
import type { SenderConfig } from './types.js';

/** The Program columns that describe its sender. */
export interface SenderProgram {
  senderType: string;
  senderValue: string | null;
  messagesPerSecond: number | null;
}

/** The From shown by the simulated carrier when a program names no number. */
export const SIMULATED_FROM = '+15005550006';

/** Throughput each kind of sender gets from US carriers when the program sets none. */
export const DEFAULT_MESSAGES_PER_SECOND = {
  long_code: 1,
  toll_free: 3,
  short_code: 100,
  // A Messaging Service pools senders of unknown number and kind: start at one long code's rate.
  messaging_service: 1,
  simulated: 10,
} as const;

export class SenderConfigError extends Error {}

export function senderConfig(program: SenderProgram): SenderConfig {
  const value = program.senderValue;
  switch (program.senderType) {
    case 'simulated':
      return { type: 'simulated', from: value ?? SIMULATED_FROM };
    case 'messaging_service':
      return { type: 'messaging_service', messagingServiceSid: required(value, program.senderType) };
    case 'twilio_number':
      return { type: 'number', from: required(value, program.senderType), numberKind: 'long_code' };
    case 'toll_free':
      return { type: 'number', from: required(value, program.senderType), numberKind: 'toll_free' };
    case 'short_code':
      return { type: 'number', from: required(value, program.senderType), numberKind: 'short_code' };
    default:
      throw new SenderConfigError(`unknown sender type ${program.senderType}`);
  }
}

function required(value: string | null, senderType: string): string {
  if (!value) {
    throw new SenderConfigError(`sender type ${senderType} needs a sender value`);
  }
  return value;
}

/** The kind of sender, which sets its default rate. */
export function senderKind(config: SenderConfig): keyof typeof DEFAULT_MESSAGES_PER_SECOND {
  return config.type === 'number' ? config.numberKind : config.type;
}

export function messagesPerSecond(program: SenderProgram): number {
  if (program.messagesPerSecond !== null && program.messagesPerSecond > 0) {
    return program.messagesPerSecond;
  }
  return DEFAULT_MESSAGES_PER_SECOND[senderKind(senderConfig(program))];
}

/**
 * Names one physical sender; programs sharing a number share its pace. Task
 * queue names land in workflow histories, so the number itself is hashed.
 */
export function senderKey(program: SenderProgram): string {
  const config = senderConfig(program);
  const value = config.type === 'messaging_service' ? config.messagingServiceSid : config.from;
  return `${senderKind(config).replace('_', '')}-${fnv1a(value)}`;
}

/** 32-bit FNV-1a, hex: a stable short name, not a secret. */
function fnv1a(text: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0).toString(16).padStart(8, '0');
}
