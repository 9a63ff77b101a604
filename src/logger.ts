// The one structured logger. Log IDs, never phone numbers or message bodies;
// the redaction list is a second guard for fields that slip through.
import pino from 'pino';

export const redactedFields = [
  'phone',
  'phoneE164',
  'to',
  'from',
  'To',
  'From',
  'body',
  'Body',
  'e164',
  '*.phone',
  '*.phoneE164',
  '*.to',
  '*.from',
  '*.To',
  '*.From',
  '*.body',
  '*.Body',
  '*.e164',
  'req.headers.authorization',
  'req.headers["x-twilio-signature"]',
];

export const logger = pino({
  level: process.env.LOG_LEVEL ?? 'info',
  redact: { paths: redactedFields, censor: '[redacted]' },
  base: { app: 'consentline' },
});

export type Logger = typeof logger;
