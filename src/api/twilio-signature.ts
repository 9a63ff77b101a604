// X-Twilio-Signature checking for webhooks, with the `twilio` package's own
// validators. The signed URL is the PUBLIC one Twilio called (behind a proxy
// the app sees another), so it is rebuilt from configuration, never from the
// Host header. Form bodies are checked over every parameter received; JSON
// bodies over the URL (which carries bodySHA256) and the raw body. SharedKey
// webhooks say HMAC-SHA256 in X-Twilio-Webhooks-Signature-Settings.
import express, { type Request, type RequestHandler } from 'express';
import twilio from 'twilio';
import { ApiProblem, sendProblem } from './errors.js';

export interface SignatureSettings {
  /** Twilio auth token, or the simulator's secret when no Twilio account is configured. */
  secret: string;
  /** The URL Twilio was given for this request. */
  signedUrl: (req: Request) => string;
}

/** Body parsers that keep what the signature covers: flat form fields (repeats as arrays) and raw JSON text. */
export function webhookBodyParsers(): RequestHandler[] {
  return [express.urlencoded({ extended: false, limit: '64kb' }), express.text({ type: 'application/json', limit: '64kb' })];
}

export function isValidTwilioSignature(req: Request, settings: SignatureSettings): boolean {
  const signature = header(req, twilio.SIGNATURE_HEADER);
  if (!signature) {
    return false;
  }
  const algorithm = twilio.getSignatureAlgorithm(header(req, twilio.SIGNATURE_SETTINGS_HEADER));
  const url = settings.signedUrl(req);
  if (req.is('application/json')) {
    return typeof req.body === 'string' && url.includes('bodySHA256=') && twilio.validateRequestWithBody(settings.secret, signature, url, req.body, algorithm);
  }
  const params = req.body && typeof req.body === 'object' ? (req.body as Record<string, unknown>) : {};
  return twilio.validateRequest(settings.secret, signature, url, params, algorithm);
}

function header(req: Request, name: string): string | undefined {
  const value = req.headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}

/** Refuses (403 problem+json) any request whose signature is missing or wrong; nothing after it runs. */
export function requireTwilioSignature(settings: SignatureSettings): RequestHandler {
  return (req, res, next) => {
    if (isValidTwilioSignature(req, settings)) {
      next();
      return;
    }
    sendProblem(res, req, new ApiProblem('invalid-signature', 'the X-Twilio-Signature header is missing or does not match this request'));
  };
}
