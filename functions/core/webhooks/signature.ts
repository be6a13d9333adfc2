import { hmacSha256Hex, randomToken } from '../../lib/crypto';

/**
 * Webhook signatures, Stripe style: `VersaAI-Signature: t=<unix seconds>,v1=<hex>` where the hex
 * is HMAC-SHA256, keyed with the endpoint's whole secret (`whsec_…`), over `<t>.<raw body>`.
 * Signing the timestamp with the body lets receivers refuse replays of old deliveries. The
 * verification snippet for receivers is in README.md ("Outgoing webhooks").
 */
export const SIGNATURE_HEADER = 'VersaAI-Signature';
export const EVENT_ID_HEADER = 'VersaAI-Event-Id';
export const EVENT_TYPE_HEADER = 'VersaAI-Event-Type';
export const DELIVERY_ID_HEADER = 'VersaAI-Delivery-Id';
export const ATTEMPT_HEADER = 'VersaAI-Delivery-Attempt';

export const SECRET_PREFIX = 'whsec_';

export function newWebhookSecret(): string {
  return `${SECRET_PREFIX}${randomToken(24)}`;
}

/** The header value for `body` sent at `timestampSeconds`. */
export async function signatureHeader(secret: string, body: string, timestampSeconds: number): Promise<string> {
  return `t=${timestampSeconds},v1=${await hmacSha256Hex(secret, `${timestampSeconds}.${body}`)}`;
}
