import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { documents, organizations } from '../../db/schema';
import { messagesCounterKey } from '../core/billing/messages-quota';
import { startFakeStripe, type FakeStripe } from '../testing/fake-stripe';
import { createTestApi, type TestApi, type TestUser } from '../testing/harness';
import { createTeam, widgetVisitor } from '../testing/inbox';
import { monthlyResetAt } from '../core/billing/messages-quota';

const SECRET_KEY = 'sk_test_versaai_billing';
const WEBHOOK_SECRET = 'whsec_versaai_billing_test_secret';

let api: TestApi;
let stripe: FakeStripe;

beforeAll(async () => {
  stripe = await startFakeStripe({ secretKey: SECRET_KEY, webhookSecret: WEBHOOK_SECRET });
  api = await createTestApi({
    env: {
      STRIPE_SECRET_KEY: SECRET_KEY,
      STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET,
      STRIPE_PRICE_PRO: 'price_pro',
      STRIPE_PRICE_BUSINESS: 'price_business',
      STRIPE_API_URL: stripe.url,
    },
  });
  stripe.webhookUrl = `${api.baseUrl}/api/v1/billing/stripe-webhook`;
});

afterAll(async () => {
  await api?.close();
  await stripe?.close();
});

async function usage(user: TestUser, orgId: string) {
  const res = await api.call('GET', `/api/v1/organizations/${orgId}/usage`, { token: user.token });
  expect(res.status, res.text).toBe(200);
  return res.body.plan as { plan: string; canManage: boolean; upgrades: string[]; limits: Array<{ name: string; used: number; limit: number | null }> };
}

const limitOf = (plan: Awaited<ReturnType<typeof usage>>, name: string) => plan.limits.find((l) => l.name === name)!;

/** An owner goes through Checkout on the fake Stripe; its page fires the signed webhooks back. */
async function upgrade(owner: TestUser, orgId: string, plan: 'pro' | 'business' = 'pro') {
  const checkout = await api.call('POST', '/api/v1/billing/checkout', { token: owner.token, orgId, body: { plan } });
  expect(checkout.status, checkout.text).toBe(200);
  const page = await fetch(checkout.body.url, { redirect: 'manual' });
  expect(page.status).toBe(303);
  expect(page.headers.get('location')).toContain('/settings/plan?checkout=success');
  const subscription = [...stripe.subscriptions.values()].find((s) => s.metadata.organizationId === orgId)!;
  return { subscription };
}

describe('plans and limits (billing configured)', () => {
  it('starts a new organization on free, with its limits and the reset date', async () => {
    const owner = await api.signUp();
    const org = await api.createOrg(owner);
    const plan = await usage(owner, org.id);
    expect(plan.plan).toBe('free');
    expect(plan.upgrades).toEqual(['pro', 'business']);
    expect(limitOf(plan, 'bots')).toEqual({ name: 'bots', used: 0, limit: 1 });
    expect(limitOf(plan, 'members')).toEqual({ name: 'members', used: 1, limit: 2 });
    // The next month's first instant (UTC), from the clock on either side of the call (a test run
    // across midnight at a month's end sees either): a calendar fact, not a timing.
    const before = new Date();
    const res = await api.call('GET', `/api/v1/organizations/${org.id}/usage`, { token: owner.token });
    const after = new Date();
    expect([monthlyResetAt(before).toISOString(), monthlyResetAt(after).toISOString()]).toContain(res.body.plan.resetsAt);
    expect(res.body.plan.resetsAt).toMatch(/^\d{4}-\d{2}-01T00:00:00\.000Z$/);
  });

  it('refuses a second bot, a third member, a flow past the limit and an upload past the storage, in the one error shape', async () => {
    const owner = await api.signUp();
    const org = await api.createOrg(owner);
    const first = await api.call('POST', '/api/v1/chatbots', { token: owner.token, body: { name: 'Uno', model: 'builtin:extractive' } });
    expect(first.status, first.text).toBe(201);
    const second = await api.call('POST', '/api/v1/chatbots', { token: owner.token, body: { name: 'Dos', model: 'builtin:extractive' } });
    expect(second.status, second.text).toBe(403);
    expect(second.body.error).toMatchObject({ code: 'plan_limit_reached', details: { limitName: 'bots', usage: 1, limit: 1, plan: 'free' } });

    const invited = await api.call('POST', `/api/v1/organizations/${org.id}/members/invite`, { token: owner.token, body: { email: 'uno@example.com', role: 'agent' } });
    expect(invited.status, invited.text).toBe(201);
    const refused = await api.call('POST', `/api/v1/organizations/${org.id}/members/invite`, { token: owner.token, body: { email: 'dos@example.com', role: 'agent' } });
    expect(refused.status).toBe(403);
    expect(refused.body.error.details).toMatchObject({ limitName: 'members', usage: 2, limit: 2 });

    for (const name of ['A', 'B']) {
      const flow = await api.call('POST', `/api/v1/chatbots/${first.body.id}/flows`, { token: owner.token, body: { name } });
      expect(flow.status, flow.text).toBe(201);
    }
    const third = await api.call('POST', `/api/v1/chatbots/${first.body.id}/flows`, { token: owner.token, body: { name: 'C' } });
    expect(third.status).toBe(403);
    expect(third.body.error.details).toMatchObject({ limitName: 'flows', usage: 2, limit: 2 });

    const kb = await api.call('POST', '/api/v1/knowledge-bases', { token: owner.token, body: { name: 'Ayuda' } });
    // Storage just under the free plan's 50 MB, then a few bytes more than fit.
    const almost = 50 * 1024 * 1024 - 10;
    await api.runtime.services.db.insert(documents).values({ organizationId: org.id, knowledgeBaseId: kb.body.id, name: 'big.pdf', source: 'file', mimeType: 'application/pdf', sizeBytes: almost, contentHash: 'x'.repeat(64) });
    const upload = await api.upload(`/api/v1/knowledge-bases/${kb.body.id}/documents/upload`, { name: 'notes.txt', bytes: new TextEncoder().encode('More than ten bytes of text'), type: 'text/plain' }, { token: owner.token });
    expect(upload.status, upload.text).toBe(403);
    expect(upload.body.error.details).toMatchObject({ limitName: 'storageBytes', usage: almost, limit: 50 * 1024 * 1024 });
    const plan = await usage(owner, org.id);
    expect(limitOf(plan, 'storageBytes').used).toBe(almost);
  });

  it('counts each bot answer; past the month\u2019s limit the visitor gets "we\u2019ll get back to you" and the conversation goes to the inbox; owners are mailed at 80% and 100%', async () => {
    const team = await createTeam(api);
    const kv = api.runtime.services.kv;
    const visitor = await widgetVisitor(api, team.botId);
    const answered = await visitor.say('¿Cuánto tardan los envíos?');
    expect(answered.find((e) => e.event === 'done')?.data.message.content).toMatch(/2 a 4 días/);
    expect(limitOf(await usage(team.owner, team.orgId), 'messagesPerMonth')).toEqual({ name: 'messagesPerMonth', used: 1, limit: 100 });

    await kv.set(messagesCounterKey(team.orgId), 79);
    await visitor.say('¿Y a Canarias?');
    await api.runtime.idle();
    let mails = await api.outboxFor(team.owner.email);
    expect(mails.filter((m) => /80%/.test(m.subject))).toHaveLength(1);

    await kv.set(messagesCounterKey(team.orgId), 99);
    const last = await visitor.say('¿Cuánto tardan los envíos a Madrid?');
    expect(last.find((e) => e.event === 'done')?.data.message.content).toMatch(/2 a 4 días/);
    await api.runtime.idle();
    mails = await api.outboxFor(team.owner.email);
    expect(mails.filter((m) => /límite/.test(m.subject))).toHaveLength(1);

    const over = await visitor.say('¿Cuánto tardan los envíos a Sevilla?');
    const reply = over.find((e) => e.event === 'done')?.data.message;
    expect(reply.content).toMatch(/te responderá/);
    expect(over.some((e) => e.event === 'error')).toBe(false);
    const conversation = await api.call('GET', `/api/v1/conversations/${visitor.conversationId}`, { token: team.owner.token });
    expect(conversation.body).toMatchObject({ handoff: 'requested', handoffReason: 'plan_limit', status: 'open' });
    // The visitor's message is kept, like every other.
    const history = await api.call('GET', `/api/v1/conversations/${visitor.conversationId}/messages`, { token: team.owner.token });
    expect(history.body.data.map((m: { content: string }) => m.content)).toContain('¿Cuánto tardan los envíos a Sevilla?');
    // Once each a month: going further mails nobody again.
    await visitor.say('¿Hola?');
    await api.runtime.idle();
    mails = await api.outboxFor(team.owner.email);
    expect(mails.filter((m) => /80%|límite/.test(m.subject))).toHaveLength(2);
  });
});

describe('billing with Stripe', () => {
  it('upgrades through Checkout: the signed webhook moves the plan and the limits change', async () => {
    const owner = await api.signUp();
    const org = await api.createOrg(owner);
    const { subscription } = await upgrade(owner, org.id);
    const customerCall = stripe.requests.find((r) => r.path === '/v1/customers' && (r.form.metadata as Record<string, string>)?.organizationId === org.id)!;
    expect(customerCall.contentType).toMatch(/application\/x-www-form-urlencoded/);
    expect(customerCall.authorization).toBe(`Bearer ${SECRET_KEY}`);
    const sessionCall = stripe.requests.find((r) => r.path === '/v1/checkout/sessions' && r.form.client_reference_id === org.id)!;
    expect(sessionCall.form).toMatchObject({ mode: 'subscription', line_items: [{ price: 'price_pro', quantity: '1' }] });
    expect(subscription.status).toBe('active');

    const plan = await usage(owner, org.id);
    expect(plan.plan).toBe('pro');
    expect(plan.canManage).toBe(true);
    expect(limitOf(plan, 'bots').limit).toBe(5);
    const [row] = await api.runtime.services.db.select({ plan: organizations.plan }).from(organizations).where(eq(organizations.id, org.id));
    expect(row!.plan).toBe('pro');

    const portal = await api.call('POST', '/api/v1/billing/portal', { token: owner.token, orgId: org.id });
    expect(portal.status, portal.text).toBe(200);
    expect(portal.body.url).toMatch(new RegExp(`^${stripe.url}/portal/`));
  });

  it('refuses a forged signature and changes nothing', async () => {
    const owner = await api.signUp();
    const org = await api.createOrg(owner);
    const { subscription } = await upgrade(owner, org.id);
    stripe.updateSubscription(subscription.id, { status: 'canceled' });
    const forged = await stripe.deliver(stripe.event('customer.subscription.deleted', { ...subscription, status: 'canceled' }), { secret: 'whsec_someone_else' });
    expect(forged.status).toBe(400);
    expect(forged.body.error.code).toBe('bad_request');
    const unsigned = await stripe.deliver(stripe.event('customer.subscription.deleted', subscription), { signature: 't=1,v1=00' });
    expect(unsigned.status).toBe(400);
    expect((await usage(owner, org.id)).plan).toBe('pro');
    stripe.updateSubscription(subscription.id, { status: 'active' });
  });

  it('handles a replayed event once', async () => {
    const owner = await api.signUp();
    const org = await api.createOrg(owner);
    const { subscription } = await upgrade(owner, org.id);
    stripe.updateSubscription(subscription.id, { price: 'price_business' });
    const event = stripe.event('customer.subscription.updated', stripe.subscriptions.get(subscription.id)!);
    const first = await stripe.deliver(event);
    expect(first.body).toEqual({ received: true, plan: 'business' });
    // Meanwhile the owner went back to pro; the replay of the old event must not move the plan again.
    stripe.updateSubscription(subscription.id, { price: 'price_pro' });
    await stripe.deliver(stripe.event('customer.subscription.updated', stripe.subscriptions.get(subscription.id)!));
    const replay = await stripe.deliver(event);
    expect(replay.status).toBe(200);
    expect(replay.body).toEqual({ received: true, duplicate: true });
    expect((await usage(owner, org.id)).plan).toBe('pro');
  });

  it('is out-of-order safe: a late update never undoes a newer deletion', async () => {
    const owner = await api.signUp();
    const org = await api.createOrg(owner);
    const { subscription } = await upgrade(owner, org.id);
    const now = Math.floor(Date.now() / 1000);
    const staleUpdate = stripe.event('customer.subscription.updated', { ...subscription }, { created: now - 60 });
    stripe.updateSubscription(subscription.id, { status: 'canceled' });
    const deleted = await stripe.deliver(stripe.event('customer.subscription.deleted', stripe.subscriptions.get(subscription.id)!, { created: now + 5 }));
    expect(deleted.body).toEqual({ received: true, plan: 'free' });
    const late = await stripe.deliver(staleUpdate);
    expect(late.body).toEqual({ received: true, ignored: 'stale' });
    expect((await usage(owner, org.id)).plan).toBe('free');

    // The same second as the deletion: the subscription is read again from Stripe, still canceled.
    const sameSecond = await stripe.deliver(stripe.event('customer.subscription.updated', { ...subscription, status: 'active' }, { created: now + 5 }));
    expect(sameSecond.body).toEqual({ received: true, plan: 'free' });
    expect((await usage(owner, org.id)).plan).toBe('free');
  });

  it('keeps the plan when a subscription moves to a price this deployment does not sell', async () => {
    const owner = await api.signUp();
    const org = await api.createOrg(owner);
    const { subscription } = await upgrade(owner, org.id);
    stripe.updateSubscription(subscription.id, { price: 'price_unknown' });
    const res = await stripe.deliver(stripe.event('customer.subscription.updated', stripe.subscriptions.get(subscription.id)!));
    expect(res.body).toEqual({ received: true, ignored: 'unknown_price' });
    expect((await usage(owner, org.id)).plan).toBe('pro');
  });

  it('lets only owners of the organization start Checkout or open the portal', async () => {
    const owner = await api.signUp();
    const org = await api.createOrg(owner);
    const admin = await api.addMember(owner, org.id, 'admin');
    const asAdmin = await api.call('POST', '/api/v1/billing/checkout', { token: admin.token, orgId: org.id, body: { plan: 'pro' } });
    expect(asAdmin.status).toBe(403);
    expect(asAdmin.body.error.code).toBe('insufficient_role');
    const stranger = await api.signUp();
    await api.createOrg(stranger);
    const cross = await api.call('POST', '/api/v1/billing/checkout', { token: stranger.token, orgId: org.id, body: { plan: 'pro' } });
    expect(cross.status).toBe(404);
    const crossPortal = await api.call('POST', '/api/v1/billing/portal', { token: stranger.token, orgId: org.id });
    expect(crossPortal.status).toBe(404);
    const crossUsage = await api.call('GET', `/api/v1/organizations/${org.id}/usage`, { token: stranger.token });
    expect(crossUsage.status).toBe(404);
    const noPortalYet = await api.call('POST', '/api/v1/billing/portal', { token: owner.token, orgId: org.id });
    expect(noPortalYet.status).toBe(404);
  });
});
