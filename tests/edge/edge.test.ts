import pg from 'pg';
import { describe, expect, inject, onTestFinished, test, vi } from 'vitest';
import { makePdf } from '../../scripts/fixtures/make-pdf';
import { greetingFlow } from '../../functions/testing/flows';
import type { Delivery, Received } from './fakes';

const edge = inject('edge');

/** JSON request to the Worker; failures print the whole response. */
async function call(method: string, path: string, options: { body?: unknown; token?: string } = {}) {
  const res = await fetch(`${edge.baseUrl}${path}`, {
    method,
    headers: {
      ...(options.body !== undefined ? { 'Content-Type': 'application/json' } : {}),
      ...(options.token ? { Authorization: `Bearer ${options.token}` } : {}),
      Origin: edge.baseUrl,
    },
    body: options.body !== undefined ? JSON.stringify(options.body) : undefined,
  });
  const text = await res.text();
  let json: any;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  let explain = `${method} ${path} -> ${res.status}\n${text.slice(0, 2000)}`;
  if (res.status >= 500) explain += `\n--- Worker log lines for this request ---\n${await workerLogs(json?.error?.requestId)}`;
  return { res, status: res.status, json, text, explain };
}

/** The Worker's own log lines mentioning `needle` (its request id), from wrangler's output. */
async function workerLogs(needle: string | undefined): Promise<string> {
  const all = await (await fetch(edge.logsUrl)).text();
  const lines = all.split('\n').filter((l) => !needle || l.includes(needle));
  return lines.slice(-20).join('\n').slice(-6000);
}

async function sql<T extends pg.QueryResultRow>(query: string, params: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: edge.databaseUrl });
  await client.connect();
  try {
    return (await client.query<T>(query, params)).rows;
  } finally {
    await client.end();
  }
}

async function received(url: string): Promise<Received[]> {
  return (await (await fetch(`${url}/__received`)).json()) as Received[];
}

/** Poll until `check` returns a value (work after the response runs in waitUntil). */
function eventually<T>(what: string, check: () => Promise<T | undefined>, timeout = 15_000): Promise<T> {
  return vi.waitFor(
    async () => {
      const value = await check();
      if (value === undefined) throw new Error(`Timed out waiting for ${what}`);
      return value;
    },
    { timeout, interval: 100 },
  );
}

function uniqueEmail(tag: string) {
  return `edge-${tag}-${crypto.randomUUID()}@example.com`;
}

describe('the Worker in workerd', () => {
  test('GET /health answers from the Worker', async () => {
    const r = await call('GET', '/health');
    expect(r.status, r.explain).toBe(200);
  });

  test('GET /api/openapi.json is the generated OpenAPI 3.1 document', async () => {
    const r = await call('GET', '/api/openapi.json');
    expect(r.status, r.explain).toBe(200);
    expect(r.json?.openapi, r.explain).toBe('3.1.0');
    expect(Object.keys(r.json?.paths ?? {}), r.explain).toContain('/api/v1/auth/register');
  });

  test('unknown API paths get the JSON error shape, other paths the SPA', async () => {
    const api = await call('GET', '/api/v1/does-not-exist');
    expect(api.status, api.explain).toBe(404);
    expect(api.json?.error?.code, api.explain).toBe('not_found');

    const spa = await fetch(`${edge.baseUrl}/app/some/client/route`, { headers: { Accept: 'text/html', 'Sec-Fetch-Mode': 'navigate' } });
    expect(spa.status).toBe(200);
    expect(spa.headers.get('content-type')).toContain('text/html');
    // Static assets never reach the Worker: the `_headers` file gives the dashboard its CSP.
    expect(spa.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(spa.headers.get('content-security-policy')).toContain("script-src 'self';");
    expect(spa.headers.get('x-frame-options')).toBe('DENY');
    await spa.body?.cancel();
    expect(api.res.headers.get('content-security-policy')).toContain("default-src 'none'");
  });
});

describe('auth and organizations over Neon (WebSocket Pool) + Upstash + mail', () => {
  test('register -> login -> create organization -> list, and the rows are in Postgres', async () => {
    const email = uniqueEmail('owner');
    const password = 'correct-horse-battery-staple';
    onTestFinished(async () => {
      // Organizations this user owns go with it (memberships cascade; orgs are removed explicitly).
      await sql(`DELETE FROM organizations WHERE id IN (SELECT organization_id FROM memberships m JOIN users u ON u.id = m.user_id WHERE lower(u.email) = lower($1))`, [email]);
      await sql('DELETE FROM users WHERE lower(email) = lower($1)', [email]);
    });

    const register = await call('POST', '/api/v1/auth/register', { body: { email, password, name: 'Edge Owner' } });
    expect(register.status, register.explain).toBe(201);
    expect(register.json?.user?.email, register.explain).toBe(email);
    expect(register.res.headers.getSetCookie().some((c) => c.startsWith('versaai_rt=')), register.explain).toBe(true);

    const login = await call('POST', '/api/v1/auth/login', { body: { email, password } });
    expect(login.status, login.explain).toBe(200);
    const accessToken = login.json?.accessToken as string;
    expect(typeof accessToken, login.explain).toBe('string');
    const cookie = login.res.headers.getSetCookie().find((c) => c.startsWith('versaai_rt='));
    expect(cookie, login.explain).toBeDefined();
    expect(cookie!.toLowerCase(), login.explain).toContain('httponly');

    const orgName = `Edge Org ${crypto.randomUUID().slice(0, 8)}`;
    const created = await call('POST', '/api/v1/organizations', { body: { name: orgName }, token: accessToken });
    expect(created.status, created.explain).toBe(201);
    const orgId = created.json?.id as string;
    expect(orgId, created.explain).toMatch(/^[0-9a-f-]{36}$/);

    const list = await call('GET', '/api/v1/organizations', { token: accessToken });
    expect(list.status, list.explain).toBe(200);
    expect((list.json?.data ?? []).map((o: { id: string }) => o.id), list.explain).toContain(orgId);

    // What the Worker wrote through the Neon driver is really in Postgres.
    const users = await sql<{ id: string; name: string; password_hash: string }>('SELECT id, name, password_hash FROM users WHERE lower(email) = lower($1)', [email]);
    expect(users).toHaveLength(1);
    expect(users[0]!.name).toBe('Edge Owner');
    expect(users[0]!.password_hash).not.toContain(password);
    const orgs = await sql<{ name: string; role: string }>(
      'SELECT o.name, m.role FROM organizations o JOIN memberships m ON m.organization_id = o.id WHERE o.id = $1 AND m.user_id = $2',
      [orgId, users[0]!.id],
    );
    expect(orgs).toEqual([{ name: orgName, role: 'owner' }]);
    const sessions = await sql<{ n: string }>('SELECT count(*)::text AS n FROM refresh_tokens WHERE user_id = $1', [users[0]!.id]);
    expect(Number(sessions[0]!.n)).toBeGreaterThanOrEqual(2);

    // The verification mail went out through the queue and the HTTP mail API.
    const mail = await eventually('the verification mail', async () =>
      (await received(edge.mailUrl)).find((m) => (m.body as { to?: unknown })?.to === email || JSON.stringify((m.body as { to?: unknown })?.to) === JSON.stringify([email])),
    );
    expect(mail.path).toBe('/emails');
    // ...which ran as the send-mail job: QStash delivered it, signed, back into the Worker.
    const deliveries = (await (await fetch(`${edge.qstashUrl}/__deliveries`)).json()) as Array<{ url: string; status: number }>;
    expect(deliveries.some((d) => d.url.endsWith('/api/jobs/send-mail') && d.status === 200), JSON.stringify(deliveries)).toBe(true);
    expect(mail.headers.authorization).toMatch(/^Bearer re_/);
    expect((mail.body as { subject?: string }).subject).toBeTruthy();

    // Login's rate limits ran through @upstash/ratelimit -> the Upstash REST API -> Redis.
    const keys = await upstash(['KEYS', '*login*']);
    expect(Array.isArray(keys) && keys.length > 0, `redis keys: ${JSON.stringify(keys)}`).toBe(true);
  });

  test('each request closes its Neon pool after the response: no connection is left open', async () => {
    const r = await call('GET', '/health');
    expect(r.status, r.explain).toBe(200);
    const open = () =>
      sql<{ n: number }>(
        "SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = 'versaai' AND backend_type = 'client backend' AND pid <> pg_backend_pid()",
      );
    await eventually('the Worker\'s connections to close', async () => ((await open())[0]!.n === 0 ? true : undefined), 10_000);
  });

  test('protected routes reject a missing or forged token', async () => {
    const none = await call('GET', '/api/v1/organizations');
    expect(none.status, none.explain).toBe(401);
    expect(none.json?.error?.code, none.explain).toBeTruthy();
    const forged = await call('GET', '/api/v1/organizations', { token: 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.forged' });
    expect(forged.status, forged.explain).toBe(401);
  });

  test('a wrong password is refused', async () => {
    const email = uniqueEmail('wrongpw');
    onTestFinished(async () => {
      await sql('DELETE FROM users WHERE lower(email) = lower($1)', [email]);
    });
    const register = await call('POST', '/api/v1/auth/register', { body: { email, password: 'a-long-enough-password', name: 'Wrong PW' } });
    expect(register.status, register.explain).toBe(201);
    const login = await call('POST', '/api/v1/auth/login', { body: { email, password: 'not-the-password' } });
    expect(login.status, login.explain).toBe(401);
  });
});

describe('cron', () => {
  test('the daily trigger enqueues the daily jobs through QStash', async () => {
    const before = (await received(edge.qstashUrl)).length;
    // wrangler dev's trigger endpoint (`--test-scheduled`); it reaches the Worker ahead of the
    // assets router, which would answer `/__scheduled` with the SPA.
    const scheduledTime = Date.UTC(2026, 10, 29, 0, 5);
    const res = await fetch(`${edge.baseUrl}/cdn-cgi/handler/scheduled?cron=${encodeURIComponent('5 0 * * *')}&time=${scheduledTime}&format=json`);
    const outcome = await res.text();
    expect(res.status, `${outcome}\n${await workerLogs('daily jobs')}`).toBe(200);
    const publish = await eventually('a QStash publish', async () => (await received(edge.qstashUrl)).slice(before).find((m) => m.path.includes('/api/jobs/purge-expired')));
    expect(publish.path).toBe(`/v2/publish/${edge.baseUrl}/api/jobs/purge-expired`);
    expect(publish.headers['upstash-deduplication-id']).toBe('purge-expired:2026-11-28');
    const refresh = await eventually('the source refresh publish', async () => (await received(edge.qstashUrl)).slice(before).find((m) => m.path.includes('/api/jobs/refresh-due-sources')));
    expect(refresh.headers['upstash-deduplication-id']).toBe('refresh-due-sources:2026-11-28');
    const rollup = await eventually('the analytics roll-up publish', async () => (await received(edge.qstashUrl)).slice(before).find((m) => m.path.includes('/api/jobs/rollup-daily-metrics')));
    expect(rollup.headers['upstash-deduplication-id']).toBe('rollup-daily-metrics:2026-11-28');
    expect(publish.body).toEqual({ day: '2026-11-28' });
  });
});

describe('sweep', () => {
  test('the 5-minute trigger enqueues the sweep once per slot', async () => {
    const before = (await received(edge.qstashUrl)).length;
    const scheduledTime = Date.UTC(2026, 10, 29, 10, 5);
    const res = await fetch(`${edge.baseUrl}/cdn-cgi/handler/scheduled?cron=${encodeURIComponent('*/5 * * * *')}&time=${scheduledTime}&format=json`);
    const outcome = await res.text();
    expect(res.status, `${outcome}\n${await workerLogs('sweep')}`).toBe(200);
    const sweep = await eventually('the sweep publish', async () => (await received(edge.qstashUrl)).slice(before).find((m) => m.path.includes('/api/jobs/sweep-stuck-work')));
    expect(sweep.headers['upstash-deduplication-id']).toBe(`sweep-stuck-work:${Math.floor(scheduledTime / 300_000)}`);
    // The frequent trigger is only the sweep, not the daily jobs.
    expect((await received(edge.qstashUrl)).slice(before).some((m) => m.path.includes('/api/jobs/purge-expired'))).toBe(false);
  });
});

describe('revocation on Upstash', () => {
  test('after logout the old access token is refused on the very next request', async () => {
    const email = uniqueEmail('revoked');
    onTestFinished(async () => {
      await sql('DELETE FROM users WHERE lower(email) = lower($1)', [email]);
    });
    const register = await call('POST', '/api/v1/auth/register', { body: { email, password: 'correct-horse-battery-staple', name: 'Revoked' } });
    expect(register.status, register.explain).toBe(201);
    const token = register.json.accessToken as string;
    const refresh = register.res.headers.getSetCookie().find((c) => c.startsWith('versaai_rt='))!.split(';')[0].slice('versaai_rt='.length);
    expect((await call('GET', '/api/v1/users/profile', { token })).status).toBe(200);
    const out = await call('POST', '/api/v1/auth/logout', { body: { refreshToken: decodeURIComponent(refresh) } });
    expect(out.status, out.explain).toBe(204);
    const after = await call('GET', '/api/v1/users/profile', { token });
    expect(after.status, after.explain).toBe(401);
    expect(after.json?.error?.code).toBe('invalid_token');
  });
});

async function upstash(command: unknown[]): Promise<unknown> {
  const res = await fetch(edge.upstash.url, {
    method: 'POST',
    headers: { Authorization: `Bearer ${edge.upstash.token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify(command),
  });
  const body = (await res.json()) as { result?: unknown; error?: string };
  if (!res.ok) throw new Error(body.error);
  return body.result;
}

describe('inbox and live events in workerd (Upstash streams)', () => {
  test('a conversation started through the API reaches the organization event stream, resumable by Last-Event-ID', async () => {
    const email = uniqueEmail('inbox');
    onTestFinished(async () => {
      await sql(`DELETE FROM organizations WHERE id IN (SELECT organization_id FROM memberships m JOIN users u ON u.id = m.user_id WHERE lower(u.email) = lower($1))`, [email]);
      await sql('DELETE FROM users WHERE lower(email) = lower($1)', [email]);
    });
    const register = await call('POST', '/api/v1/auth/register', { body: { email, password: 'correct-horse-battery-staple', name: 'Edge Agent' } });
    expect(register.status, register.explain).toBe(201);
    const token = register.json.accessToken as string;
    const org = await call('POST', '/api/v1/organizations', { body: { name: `Edge Inbox ${crypto.randomUUID().slice(0, 6)}` }, token });
    expect(org.status, org.explain).toBe(201);
    const bot = await call('POST', '/api/v1/chatbots', { body: { name: 'Edge bot' }, token });
    expect(bot.status, bot.explain).toBe(201);

    // The stream opens with `ready` and the id to resume from.
    const controller = new AbortController();
    const stream = await fetch(`${edge.baseUrl}/api/v1/events`, { headers: { Authorization: `Bearer ${token}` }, signal: controller.signal });
    expect(stream.status).toBe(200);
    expect(stream.headers.get('content-type')).toContain('text/event-stream');
    const reader = stream.body!.pipeThrough(new TextDecoderStream()).getReader();
    let text = '';
    const readUntil = async (needle: string) => {
      const deadline = Date.now() + 15_000;
      while (!text.includes(needle)) {
        if (Date.now() > deadline) throw new Error(`no ${needle} in the stream; got:\n${text}`);
        const { value, done } = await reader.read();
        if (done) throw new Error(`stream ended before ${needle}; got:\n${text}`);
        text += value;
      }
    };
    await readUntil('event: ready');
    const readyId = /id: (\d+-\d+)/.exec(text)?.[1];
    expect(readyId).toBeTruthy();

    const started = await call('POST', '/api/v1/conversations', { body: { botId: bot.json.id, contact: { name: 'Eva' }, message: 'Hola desde el edge' }, token });
    expect(started.status, started.explain).toBe(201);
    expect(started.json.messages.map((m: { role: string }) => m.role)).toEqual(['user', 'assistant']);
    await readUntil('Hola desde el edge');
    expect(text).toContain('event: conversation.created');
    expect(text).toContain('event: message.created');
    controller.abort();

    // Reconnecting from the ready id replays what happened since, from the Redis stream.
    const resumed = await fetch(`${edge.baseUrl}/api/v1/events`, { headers: { Authorization: `Bearer ${token}`, 'Last-Event-ID': readyId! } , signal: AbortSignal.timeout(10_000) });
    const replay = resumed.body!.pipeThrough(new TextDecoderStream()).getReader();
    let again = '';
    while (!again.includes('Hola desde el edge')) {
      const { value, done } = await replay.read();
      if (done) break;
      again += value;
    }
    await replay.cancel();
    expect(again).toContain('event: conversation.created');

    const inbox = await call('GET', '/api/v1/conversations', { token });
    expect(inbox.status, inbox.explain).toBe(200);
    expect(inbox.json.data.map((c: { id: string }) => c.id)).toEqual([started.json.id]);
  });
});

interface UpstashCounts {
  total: number;
  byCommand: Record<string, number>;
  byKey: Record<string, number>;
  /** By `NAME key`: how many requests (round trips) carried such a command. */
  requestsByKey: Record<string, number>;
}

async function upstashCounts(): Promise<UpstashCounts> {
  return (await (await fetch(`${edge.upstash.url}/__commands`)).json()) as UpstashCounts;
}

/** A new owner with an organization (removed after the test), signed up through the Worker. */
async function ownerWithOrg(label: string, name: string) {
  const email = uniqueEmail(label);
  onTestFinished(async () => {
    await sql(`DELETE FROM organizations WHERE id IN (SELECT organization_id FROM memberships m JOIN users u ON u.id = m.user_id WHERE lower(u.email) = lower($1))`, [email]);
    await sql('DELETE FROM users WHERE lower(email) = lower($1)', [email]);
  });
  const register = await call('POST', '/api/v1/auth/register', { body: { email, password: 'correct-horse-battery-staple', name } });
  const token = register.json.accessToken as string;
  const org = await call('POST', '/api/v1/organizations', { body: { name: `Edge ${label} ${crypto.randomUUID().slice(0, 6)}` }, token });
  expect(org.status, org.explain).toBe(201);
  return { token, orgId: org.json.id as string };
}

/** Commands that read a stream key (what a polling SSE route would keep sending). */
function streamReads(counts: UpstashCounts, key: string) {
  return ['XRANGE', 'XREVRANGE', 'XREAD', 'XLEN'].reduce((n, cmd) => n + (counts.byKey[`${cmd} ${key}`] ?? 0), 0);
}

describe('live events pushed by a Durable Object', () => {
  test('an idle subscriber costs no Upstash command; events arrive by push; a reconnect resumes with Last-Event-ID', async () => {
    const { token, orgId } = await ownerWithOrg('push', 'Push Agent');
    const key = `events:org:${orgId}`;
    const bot = await call('POST', '/api/v1/chatbots', { body: { name: 'Push bot' }, token });
    expect(bot.status, bot.explain).toBe(201);

    const subscribe = async (lastEventId?: string) => {
      const controller = new AbortController();
      const headers: Record<string, string> = { Authorization: `Bearer ${token}`, ...(lastEventId ? { 'Last-Event-ID': lastEventId } : {}) };
      const res = await fetch(`${edge.baseUrl}/api/v1/events`, { headers, signal: controller.signal });
      expect(res.status).toBe(200);
      const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
      const stream = { text: '', close: () => controller.abort() };
      const readUntil = async (needle: string) => {
        const deadline = Date.now() + 15_000;
        while (!stream.text.includes(needle)) {
          if (Date.now() > deadline) throw new Error(`no ${needle} in the stream; got:\n${stream.text}`);
          const { value, done } = await reader.read();
          if (done) throw new Error(`stream ended before ${needle}; got:\n${stream.text}`);
          stream.text += value;
        }
      };
      return Object.assign(stream, { readUntil, lastId: () => [...stream.text.matchAll(/^id: (\d+-\d+)$/gm)].at(-1)?.[1] });
    };

    const live = await subscribe();
    await live.readUntil('event: ready');
    // Idle: a polling route would read the stream about once a second; a pushed one not at all.
    const before = await upstashCounts();
    await new Promise((r) => setTimeout(r, 3500));
    const idle = await upstashCounts();
    expect(streamReads(idle, key), JSON.stringify(idle.byKey)).toBe(streamReads(before, key));

    const first = await call('POST', '/api/v1/conversations', { body: { botId: bot.json.id, contact: { name: 'Ana' }, message: 'Primera por push' }, token });
    expect(first.status, first.explain).toBe(201);
    await live.readUntil('Primera por push');
    expect(live.text).toContain('event: conversation.created');
    // It came by push: the log was written (XADD) but never read for this subscriber.
    const pushed = await upstashCounts();
    expect(streamReads(pushed, key), JSON.stringify(pushed.byKey)).toBe(streamReads(before, key));
    expect(pushed.byKey[`XADD ${key}`] ?? 0).toBeGreaterThan(before.byKey[`XADD ${key}`] ?? 0);
    const seen = live.lastId()!;
    expect(seen).toBeTruthy();
    live.close();

    // While disconnected, more happens; the reconnect with the last id seen gets exactly that.
    const second = await call('POST', '/api/v1/conversations', { body: { botId: bot.json.id, contact: { name: 'Beto' }, message: 'Segunda sin nadie' }, token });
    expect(second.status, second.explain).toBe(201);
    const resumed = await subscribe(seen);
    await resumed.readUntil('Segunda sin nadie');
    expect(resumed.text).toContain('event: conversation.created');
    // Nothing at or before the resume point is sent again (the ready line repeats it as its id).
    const ids = [...resumed.text.matchAll(/^id: (\d+)-(\d+)$/gm)].map((m) => [Number(m[1]), Number(m[2])] as const);
    const [sm, ss] = seen.split('-').map(Number) as [number, number];
    expect(ids.slice(1).every(([m, s]) => m > sm || (m === sm && s > ss)), resumed.text).toBe(true);
    resumed.close();
  });
});

describe('the widget stream pushed by its conversation\'s Durable Object', () => {
  test('an agent\'s reply reaches the visitor\'s open stream without any read of the conversation log', async () => {
    const email = uniqueEmail('widget-push');
    onTestFinished(async () => {
      await sql(`DELETE FROM organizations WHERE id IN (SELECT organization_id FROM memberships m JOIN users u ON u.id = m.user_id WHERE lower(u.email) = lower($1))`, [email]);
      await sql('DELETE FROM users WHERE lower(email) = lower($1)', [email]);
    });
    const register = await call('POST', '/api/v1/auth/register', { body: { email, password: 'correct-horse-battery-staple', name: 'Pablo Agent' } });
    const token = register.json.accessToken as string;
    expect((await call('POST', '/api/v1/organizations', { body: { name: `Edge Widget ${crypto.randomUUID().slice(0, 6)}` }, token })).status).toBe(201);
    const bot = await call('POST', '/api/v1/chatbots', { body: { name: 'Widget bot' }, token });
    expect(bot.status, bot.explain).toBe(201);
    const deployed = await call('POST', `/api/v1/chatbots/${bot.json.id}/deploy`, { token });
    expect(deployed.status, deployed.explain).toBeLessThan(300);
    const session = await call('POST', `/api/v1/widget/${bot.json.id}/session`, { body: {} });
    expect(session.status, session.explain).toBe(200);
    const conversationId = session.json.conversationId as string;
    const key = `events:conv:${conversationId}`;

    const controller = new AbortController();
    onTestFinished(() => controller.abort());
    const res = await fetch(`${edge.baseUrl}/api/v1/widget/${bot.json.id}/events`, { headers: { Authorization: `Bearer ${session.json.sessionToken}` }, signal: controller.signal });
    expect(res.status).toBe(200);
    const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
    let text = '';
    const readUntil = async (needle: string) => {
      const deadline = Date.now() + 15_000;
      while (!text.includes(needle)) {
        if (Date.now() > deadline) throw new Error(`no ${needle} in the widget stream; got:\n${text}`);
        const { value, done } = await reader.read();
        if (done) throw new Error(`stream ended before ${needle}; got:\n${text}`);
        text += value;
      }
    };
    await readUntil('event: ready');
    const before = await upstashCounts();

    const taken = await call('POST', `/api/v1/conversations/${conversationId}/takeover`, { token });
    expect(taken.status, taken.explain).toBe(200);
    const reply = await call('POST', `/api/v1/conversations/${conversationId}/messages`, { token, body: { content: 'Hola, soy Pablo: te ayudo yo.' } });
    expect(reply.status, reply.explain).toBe(201);
    await readUntil('Hola, soy Pablo');
    expect(text).toContain('event: message');
    const after = await upstashCounts();
    expect(streamReads(after, key), JSON.stringify(after.byKey)).toBe(streamReads(before, key));
  });
});

describe('ingestion in its own worker (INGEST service binding)', () => {
  test('a PDF uploaded through the request worker is extracted, chunked and embedded by the ingestion worker', async () => {
    const email = uniqueEmail('ingest');
    onTestFinished(async () => {
      await sql(`DELETE FROM organizations WHERE id IN (SELECT organization_id FROM memberships m JOIN users u ON u.id = m.user_id WHERE lower(u.email) = lower($1))`, [email]);
      await sql('DELETE FROM users WHERE lower(email) = lower($1)', [email]);
    });
    const register = await call('POST', '/api/v1/auth/register', { body: { email, password: 'correct-horse-battery-staple', name: 'Edge Ingest' } });
    expect(register.status, register.explain).toBe(201);
    const token = register.json.accessToken as string;
    const org = await call('POST', '/api/v1/organizations', { body: { name: `Edge Ingest ${crypto.randomUUID().slice(0, 6)}` }, token });
    expect(org.status, org.explain).toBe(201);
    const kb = await call('POST', '/api/v1/knowledge-bases', { body: { name: 'Edge manuals' }, token });
    expect(kb.status, kb.explain).toBe(201);

    const form = new FormData();
    form.append('file', new File([new Uint8Array(await makePdf(3))], 'manual.pdf', { type: 'application/pdf' }));
    const upload = await fetch(`${edge.baseUrl}/api/v1/knowledge-bases/${kb.json.id}/documents/upload`, { method: 'POST', headers: { Authorization: `Bearer ${token}`, Origin: edge.baseUrl }, body: form });
    const uploaded = await upload.text();
    expect(upload.status, uploaded).toBe(202);
    const documentId = (JSON.parse(uploaded) as { id: string }).id;

    const doc = await eventually(
      'the document to be ready',
      async () => {
        const r = await call('GET', `/api/v1/knowledge-bases/${kb.json.id}/documents/${documentId}`, { token });
        if (r.json?.status === 'failed') throw new Error(`ingestion failed: ${r.text}\n${await workerLogs(undefined)}`);
        return r.json?.status === 'ready' ? r.json : undefined;
      },
      45_000,
    );
    expect(doc.pageCount).toBe(3);
    const stored = await sql<{ content: string }>('SELECT content FROM chunks WHERE document_id = $1 ORDER BY position', [documentId]);
    expect(stored.length).toBeGreaterThan(0);
    expect(stored.map((c) => c.content).join('\n')).toContain('Section 2');

    // QStash delivered both ingestion jobs to the public job URL, and the ingestion worker answered.
    const deliveries = ((await (await fetch(`${edge.qstashUrl}/__deliveries`)).json()) as Delivery[]).filter((d) => /\/api\/jobs\/(ingest-document|embed-chunks)$/.test(d.url));
    const succeeded = deliveries.filter((d) => d.status === 200);
    expect(succeeded.some((d) => d.url.endsWith('/api/jobs/ingest-document')), JSON.stringify(deliveries)).toBe(true);
    expect(succeeded.some((d) => d.url.endsWith('/api/jobs/embed-chunks')), JSON.stringify(deliveries)).toBe(true);
    expect(succeeded.every((d) => d.worker === 'ingest'), JSON.stringify(deliveries)).toBe(true);
  });

  test('the ingestion worker checks the QStash signature itself', async () => {
    const forged = await fetch(`${edge.baseUrl}/api/jobs/ingest-document`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'Upstash-Signature': 'not.a.signature' },
      body: JSON.stringify({ documentId: crypto.randomUUID(), generation: 1 }),
    });
    expect(forged.status).toBe(401);
    expect(forged.headers.get('x-versaai-worker')).toBe('ingest');
    // A request-side job is answered by the request worker.
    const requestSide = await fetch(`${edge.baseUrl}/api/jobs/send-mail`, { method: 'POST', headers: { 'Upstash-Signature': 'not.a.signature' }, body: '{}' });
    expect(requestSide.status).toBe(401);
    expect(requestSide.headers.get('x-versaai-worker')).toBeNull();
  });
});

describe('the back-office worker (billing, single sign-on)', () => {
  test('single sign-on and billing requests are answered by the back-office worker, not bundled into the request worker', async () => {
    const start = await fetch(`${edge.baseUrl}/api/v1/auth/sso/start`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Origin: edge.baseUrl },
      body: JSON.stringify({ email: `${uniqueEmail('sso')}` }),
    });
    expect(start.headers.get('x-versaai-worker')).toBe('ingest');
    // Nobody configured SSO for example.com: a clear refusal in the one error shape.
    expect(start.status).toBeGreaterThanOrEqual(400);
    expect(start.status).toBeLessThan(500);
    expect(((await start.json()) as { error: { code: string } }).error.code).toMatch(/sso|not_found/);

    const settings = await fetch(`${edge.baseUrl}/api/v1/sso`, { headers: { Origin: edge.baseUrl } });
    expect(settings.headers.get('x-versaai-worker')).toBe('ingest');
    expect(settings.status).toBe(401);

    const checkout = await fetch(`${edge.baseUrl}/api/v1/billing/checkout`, { method: 'POST', headers: { 'Content-Type': 'application/json', Origin: edge.baseUrl }, body: '{}' });
    expect(checkout.headers.get('x-versaai-worker')).toBe('ingest');
    expect(checkout.status).toBe(401);
  });
});

describe('a flow turn on the Worker', () => {
  test('the visitor\'s message and the flow\'s answer reach the inbox\'s stream in one Upstash round trip, in order', async () => {
    const { token, orgId } = await ownerWithOrg('flow-turn', 'Flow Agent');
    const key = `events:org:${orgId}`;
    const bot = await call('POST', '/api/v1/chatbots', { body: { name: 'Flow bot' }, token });
    expect(bot.status, bot.explain).toBe(201);
    expect((await call('POST', `/api/v1/chatbots/${bot.json.id}/deploy`, { token })).status).toBeLessThan(300);
    const flow = await call('POST', `/api/v1/chatbots/${bot.json.id}/flows`, { body: { name: 'Saludo', document: greetingFlow() }, token });
    expect(flow.status, flow.explain).toBe(201);
    const published = await call('POST', `/api/v1/chatbots/${bot.json.id}/flows/${flow.json.id}/publish`, { token });
    expect(published.status, published.explain).toBe(201);
    const session = await call('POST', `/api/v1/widget/${bot.json.id}/session`, { body: {} });
    expect(session.status, session.explain).toBe(200);
    const say = async (message: string) => {
      const res = await call('POST', `/api/v1/widget/${bot.json.id}/chat`, { body: { message }, token: session.json.sessionToken });
      expect(res.status, res.explain).toBe(200);
      expect(res.text).toContain('event: done');
    };
    const appended = async (n: number) => eventually(`${n} appends to ${key}`, async () => ((await upstashCounts()).byKey[`XADD ${key}`] === n ? await upstashCounts() : undefined));

    await say('hola');
    const first = await appended(3);
    await say('Ana');
    const second = await appended(5);
    // Each turn's appends (the conversation, the visitor's message, the answer) shared one request.
    expect(first.requestsByKey[`XADD ${key}`]).toBe(1);
    expect(second.requestsByKey[`XADD ${key}`]).toBe(2);

    const res = await fetch(`${edge.upstash.url}/`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${edge.upstash.token}` },
      body: JSON.stringify(['XRANGE', key, '-', '+']),
    });
    const entries = ((await res.json()) as { result: Array<[string, string[]]> }).result;
    const events = entries.map(([, fields]) => JSON.parse(fields[1]!)).map((e) => (e.type === 'message.created' ? `${e.data.message.role}: ${e.data.message.content}` : e.type));
    expect(events).toEqual(['conversation.created', 'user: hola', 'assistant: ¿Tu nombre?', 'user: Ana', 'assistant: Encantado, Ana\n\n¿Algo más?']);
  });
});
