// Where Twilio (or the simulator) calls us back. Shared by the send activity,
// which puts the status URL on every message, and the webhook router.
export const WEBHOOK_PATHS = {
  inbound: '/webhooks/twilio/inbound',
  status: '/webhooks/twilio/status',
} as const;

export function statusCallbackUrl(publicBaseUrl: string): string {
  return `${publicBaseUrl.replace(/\/$/, '')}${WEBHOOK_PATHS.status}`;
}

export function inboundWebhookUrl(publicBaseUrl: string): string {
  return `${publicBaseUrl.replace(/\/$/, '')}${WEBHOOK_PATHS.inbound}`;
}
