import Stripe from 'stripe';
import type { Config } from '../../lib/config';
import { ApiError } from '../../lib/errors';

/**
 * The official Stripe client with its fetch HTTP client and SubtleCrypto (both work on Workers
 * and Node). Heavy: only the back-office worker (functions/ingest-worker.ts) and the Node runtime
 * reach this module; the request worker forwards /api/v1/billing/* there.
 */
export function stripeClient(config: Pick<Config, 'STRIPE_SECRET_KEY' | 'STRIPE_API_URL'>): Stripe {
  if (!config.STRIPE_SECRET_KEY) throw new ApiError('service_unavailable', 'Billing is not configured on this deployment');
  const api = new URL(config.STRIPE_API_URL);
  const protocol = api.protocol === 'http:' ? 'http' : 'https';
  return new Stripe(config.STRIPE_SECRET_KEY, {
    httpClient: Stripe.createFetchHttpClient(),
    host: api.hostname,
    port: api.port ? Number(api.port) : protocol === 'https' ? 443 : 80,
    protocol,
    maxNetworkRetries: 1,
    timeout: 10_000,
    telemetry: false,
  });
}

export const subtleCrypto = Stripe.createSubtleCryptoProvider();

/**
 * One call to Stripe: an outage or a 5xx becomes 503 (Stripe retries its webhook; the dashboard
 * says to try again), anything else Stripe refuses stays an error of ours (500, logged).
 */
export async function callStripe<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof Stripe.errors.StripeConnectionError || error instanceof Stripe.errors.StripeAPIError || error instanceof Stripe.errors.StripeRateLimitError) {
      throw new ApiError('service_unavailable', 'Stripe could not be reached; try again in a moment');
    }
    throw error;
  }
}

export type { Stripe };
