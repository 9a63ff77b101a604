import { describe, expect, it } from 'vitest';
import { messagesPerSecond, SenderConfigError, senderConfig, senderKey } from '../../src/carriers/sender.js';
import { sendTaskQueue } from '../../src/temporal/shared.js';

const program = (senderType: string, senderValue: string | null, rate: number | null = null) => ({ senderType, senderValue, messagesPerSecond: rate });

describe('program senders', () => {
  it.each([
    ['twilio_number', '+14155550199', 1, { type: 'number', from: '+14155550199', numberKind: 'long_code' }],
    ['toll_free', '+18885550100', 3, { type: 'number', from: '+18885550100', numberKind: 'toll_free' }],
    ['short_code', '55501', 100, { type: 'number', from: '55501', numberKind: 'short_code' }],
    ['messaging_service', 'MG00000000000000000000000000000001', 1, { type: 'messaging_service', messagingServiceSid: 'MG00000000000000000000000000000001' }],
    ['simulated', null, 10, { type: 'simulated', from: '+15005550006' }],
  ] as const)('%s: config and default rate %i/s', (type, value, rate, config) => {
    expect(senderConfig(program(type, value))).toEqual(config);
    expect(messagesPerSecond(program(type, value))).toBe(rate);
    expect(messagesPerSecond(program(type, value, 7.5))).toBe(7.5);
  });

  it('names a sender by kind and a hash: programs sharing a number share a queue, and no number appears in it', () => {
    const a = senderKey(program('toll_free', '+18885550100'));
    expect(a).toMatch(/^tollfree-[0-9a-f]{8}$/);
    expect(senderKey(program('toll_free', '+18885550100', 2))).toBe(a);
    expect(senderKey(program('toll_free', '+18885550101'))).not.toBe(a);
    expect(sendTaskQueue('consentline', a)).not.toContain('8885550100');
  });

  it('refuses a sender type that needs a value and has none, or an unknown type', () => {
    expect(() => senderConfig(program('twilio_number', null))).toThrow(SenderConfigError);
    expect(() => senderConfig(program('fax', '+1'))).toThrow(SenderConfigError);
  });
});
