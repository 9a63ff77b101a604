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

// An unknown LOG_LEVEL falls back to info here; loadConfig() then reports it
// as a one-line configuration error instead of pino throwing at import.
const configuredLevel = process.env.LOG_LEVEL ?? 'info';
const level = Object.hasOwn(pino.levels.values, configuredLevel) || configuredLevel === 'silent' ? configuredLevel : 'info';

export const logger = pino({
  level,
  redact: { paths: redactedFields, censor: '[redacted]' },
  base: { app: 'consentline' },
});

export type Logger = typeof logger;
