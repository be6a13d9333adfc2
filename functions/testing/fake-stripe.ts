import { createHmac, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local server that speaks Stripe's wire format, for tests and the browser suite: form-encoded
 * requests (`a[b][0][c]=…`) with a Bearer secret key, JSON objects shaped like Stripe's, Stripe's
 * error shape, and webhook events signed like Stripe (`Stripe-Signature: t=<ts>,v1=<hex HMAC-SHA256
 * of "<ts>.<payload>">`). Its Checkout page "completes" the payment: it creates the subscription,
 * posts `checkout.session.completed` and `customer.subscription.created` to the app's webhook,
 * then redirects to the session's success_url. Point STRIPE_API_URL at `url`.
 */
export interface StripeRequest {
  method: string;
  path: string;
  authorization: string | undefined;
  contentType: string | undefined;
  idempotencyKey: string | undefined;
  form: Record<string, unknown>;
}

export interface FakeSubscription {
  id: string;
  object: 'subscription';
  customer: string;
  status: string;
  created: number;
  metadata: Record<string, string>;
  items: { object: 'list'; data: Array<{ id: string; object: 'subscription_item'; price: { id: string; object: 'price' }; current_period_end: number }> };
}

export interface StripeEvent {
  id: string;
  object: 'event';
  type: string;
  created: number;
  api_version: string;
  livemode: false;
  data: { object: Record<string, unknown> };
}

export interface FakeStripe {
  url: string;
  requests: StripeRequest[];
  subscriptions: Map<string, FakeSubscription>;
  /** Where events go; set it once the app's address is known. */
  webhookUrl: string;
  /** Builds an event (not sent); `created` defaults to now, in seconds like Stripe's. */
  event(type: string, object: object, options?: { created?: number }): StripeEvent;
  /** Posts an event to the webhook, signed with the secret (or a forged one), and returns the app's answer. */
  deliver(event: StripeEvent, options?: { secret?: string; signature?: string }): Promise<{ status: number; body: any }>;
  /** Changes a subscription as Stripe would hold it now (what a re-fetch returns). */
  updateSubscription(id: string, change: { status?: string; price?: string }): FakeSubscription;
  sign(payload: string, secret?: string, timestamp?: number): string;
  close(): Promise<void>;
}

const id = (prefix: string) => `${prefix}_${randomBytes(12).toString('hex')}`;
const now = () => Math.floor(Date.now() / 1000);

/** `a[b][0][c]=x` form fields as the nested object Stripe's client encoded. */
export function parseStripeForm(body: string): Record<string, unknown> {
  const root: Record<string, unknown> = {};
  for (const [key, value] of new URLSearchParams(body)) {
    const parts = key.replace(/\]/g, '').split('[');
    let node: any = root;
    parts.forEach((part, i) => {
      const last = i === parts.length - 1;
      const nextIsIndex = !last && /^\d+$/.test(parts[i + 1]!);
      if (last) node[part] = value;
      else node = node[part] ??= nextIsIndex ? [] : {};
    });
  }
  return root;
}

export async function startFakeStripe(options: { secretKey: string; webhookSecret: string; port?: number; webhookUrl?: string }): Promise<FakeStripe> {
  const requests: StripeRequest[] = [];
  const customers = new Map<string, Record<string, unknown>>();
  const sessions = new Map<string, Record<string, any>>();
  const subscriptions = new Map<string, FakeSubscription>();
  let url = '';

  const send = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json', 'request-id': id('req') });
    res.end(JSON.stringify(body));
  };
  const stripeError = (res: ServerResponse, status: number, message: string, code?: string) =>
    send(res, status, { error: { type: status === 401 ? 'invalid_request_error' : 'invalid_request_error', message, ...(code ? { code } : {}) } });

  function sign(payload: string, secret = options.webhookSecret, timestamp = now()) {
    const signature = createHmac('sha256', secret).update(`${timestamp}.${payload}`).digest('hex');
    return `t=${timestamp},v1=${signature}`;
  }

  function event(type: string, object: object, eventOptions: { created?: number } = {}): StripeEvent {
    return { id: id('evt'), object: 'event', type, created: eventOptions.created ?? now(), api_version: '2026-01-28.clover', livemode: false, data: { object: JSON.parse(JSON.stringify(object)) } };
  }

  async function deliver(stripeEvent: StripeEvent, deliverOptions: { secret?: string; signature?: string } = {}) {
    const payload = JSON.stringify(stripeEvent, null, 2);
    const res = await fetch(fake.webhookUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-8', 'stripe-signature': deliverOptions.signature ?? sign(payload, deliverOptions.secret) },
      body: payload,
    });
    const text = await res.text();
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // not JSON: kept as text
    }
    return { status: res.status, body };
  }

  function createSubscription(customer: string, price: string, metadata: Record<string, string>): FakeSubscription {
    const subscription: FakeSubscription = {
      id: id('sub'),
      object: 'subscription',
      customer,
      status: 'active',
      created: now(),
      metadata,
      items: { object: 'list', data: [{ id: id('si'), object: 'subscription_item', price: { id: price, object: 'price' }, current_period_end: now() + 30 * 86400 }] },
    };
    subscriptions.set(subscription.id, subscription);
    return subscription;
  }

  /** The Checkout page: pays at once, tells the app (signed events), and goes back to the app. */
  async function completeCheckout(res: ServerResponse, sessionId: string) {
    const session = sessions.get(sessionId);
    if (!session) return stripeError(res, 404, 'No such checkout session', 'resource_missing');
    if (!session.subscription) {
      const price = session.line_items?.[0]?.price as string;
      const subscription = createSubscription(session.customer, price, session.subscription_data?.metadata ?? {});
      session.subscription = subscription.id;
      session.status = 'complete';
      session.payment_status = 'paid';
      await deliver(event('checkout.session.completed', session));
      await deliver(event('customer.subscription.created', subscription));
    }
    res.writeHead(303, { location: session.success_url });
    res.end();
  }

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const path = new URL(req.url ?? '/', 'http://fake').pathname;
    const method = req.method ?? 'GET';

    const checkoutPage = /^\/checkout\/(cs_[a-z0-9]+)$/.exec(path);
    if (method === 'GET' && checkoutPage) return completeCheckout(res, checkoutPage[1]!);
    if (method === 'GET' && path.startsWith('/portal/')) {
      res.writeHead(200, { 'content-type': 'text/html' });
      return res.end('<!doctype html><title>Customer portal</title><h1>Stripe customer portal (test)</h1>');
    }

    const form = parseStripeForm(raw);
    requests.push({
      method,
      path,
      authorization: req.headers.authorization,
      contentType: req.headers['content-type'],
      idempotencyKey: req.headers['idempotency-key'] as string | undefined,
      form,
    });
    if (req.headers.authorization !== `Bearer ${options.secretKey}`) return stripeError(res, 401, 'Invalid API Key provided');
    if (method === 'POST' && !String(req.headers['content-type']).startsWith('application/x-www-form-urlencoded')) {
      return stripeError(res, 400, 'Requests must be form-encoded');
    }

    if (method === 'POST' && path === '/v1/customers') {
      const customer = { id: id('cus'), object: 'customer', created: now(), name: form.name ?? null, email: form.email ?? null, metadata: form.metadata ?? {} };
      customers.set(customer.id, customer);
      return send(res, 200, customer);
    }
    if (method === 'POST' && path === '/v1/checkout/sessions') {
      if (!customers.has(String(form.customer))) return stripeError(res, 400, `No such customer: '${form.customer}'`, 'resource_missing');
      const sessionId = id('cs');
      const session = {
        id: sessionId,
        object: 'checkout.session',
        mode: form.mode,
        status: 'open',
        payment_status: 'unpaid',
        customer: form.customer,
        client_reference_id: form.client_reference_id ?? null,
        metadata: form.metadata ?? {},
        subscription: null,
        success_url: form.success_url,
        cancel_url: form.cancel_url,
        url: `${url}/checkout/${sessionId}`,
        line_items: form.line_items,
        subscription_data: form.subscription_data,
      };
      sessions.set(sessionId, session);
      const { line_items: _items, subscription_data: _data, ...visible } = session;
      return send(res, 200, visible);
    }
    if (method === 'POST' && path === '/v1/billing_portal/sessions') {
      if (!customers.has(String(form.customer))) return stripeError(res, 400, `No such customer: '${form.customer}'`, 'resource_missing');
      const portalId = id('bps');
      return send(res, 200, { id: portalId, object: 'billing_portal.session', customer: form.customer, return_url: form.return_url, url: `${url}/portal/${portalId}` });
    }
    const subscriptionPath = /^\/v1\/subscriptions\/(sub_[a-z0-9]+)$/.exec(path);
    if (method === 'GET' && subscriptionPath) {
      const subscription = subscriptions.get(subscriptionPath[1]!);
      return subscription ? send(res, 200, subscription) : stripeError(res, 404, `No such subscription: '${subscriptionPath[1]}'`, 'resource_missing');
    }
    return stripeError(res, 404, `Unrecognized request URL (${method}: ${path})`);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error) => {
      res.writeHead(500);
      res.end(String(error));
    });
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const fake: FakeStripe = {
    url,
    requests,
    subscriptions,
    webhookUrl: options.webhookUrl ?? '',
    event,
    deliver,
    sign,
    updateSubscription(subscriptionId, change) {
      const subscription = subscriptions.get(subscriptionId);
      if (!subscription) throw new Error(`no subscription ${subscriptionId}`);
      if (change.status) subscription.status = change.status;
      if (change.price) subscription.items.data[0]!.price = { id: change.price, object: 'price' };
      return subscription;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
  return fake;
}
