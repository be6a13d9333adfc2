/**
 * The hostile-input suite: every operation in `/api/openapi.json` gets wrong types in each body
 * field, path and query parameter, NUL characters and lone surrogates in its strings, a 1 MB
 * string, a body over the size limit, invalid JSON, the wrong content type, bytes that are not
 * UTF-8, and malformed percent-escapes in the path. Nothing may answer 5xx, and every 4xx has the
 * one error shape. A failure lists each offending "METHOD /path [case] -> status body".
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApi, type TestApi, type TestUser } from './testing/harness';

type Schema = Record<string, any>;

interface Operation {
  method: string;
  path: string;
  /** Public widget routes take the visitor's session token instead of the owner's. */
  widget: boolean;
  body: Schema | null;
  multipart: boolean;
  pathParams: string[];
  queryParams: Array<{ name: string; schema: Schema }>;
}

interface Case {
  name: string;
  path?: string;
  query?: string;
  body?: unknown;
  raw?: BodyInit;
  contentType?: string;
  /** The one status this case must get, where the answer does not depend on the route. */
  expect?: number;
}

let api: TestApi;
let owner: TestUser;
let visitorToken: string;
let doc: { paths: Record<string, Record<string, any>>; components?: { schemas?: Record<string, Schema> } };
let operations: Operation[];
const ids: Record<string, string> = {};
const BIG = 'x'.repeat(1_000_000);
// Just above the 1 MB string, so that string reaches the handlers and only the next case is too big.
const MAX_JSON_BYTES = 1_100_000;

beforeAll(async () => {
  api = await createTestApi({ env: { MAX_JSON_BYTES: String(MAX_JSON_BYTES), WIDGET_MESSAGES_PER_SESSION: '100000', WIDGET_MESSAGES_PER_IP: '100000' } });
  doc = (await api.call('GET', '/api/openapi.json')).body;
  operations = Object.entries(doc.paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, op]) => {
      const parameters = (op.parameters ?? []) as Array<{ name: string; in: string; schema: Schema }>;
      const content = op.requestBody?.content ?? {};
      return {
        method: method.toUpperCase(),
        path,
        widget: path.startsWith('/api/v1/widget/'),
        body: content['application/json']?.schema ?? null,
        multipart: Boolean(content['multipart/form-data']),
        pathParams: parameters.filter((p) => p.in === 'path').map((p) => p.name),
        queryParams: parameters.filter((p) => p.in === 'query').map((p) => ({ name: p.name, schema: p.schema ?? {} })),
      };
    }),
  );

  // Real resources behind every path parameter, so requests get past "not found" into handlers.
  owner = await api.signUp({ name: 'Hostile owner' });
  const org = await api.createOrg(owner, 'Hostile Co');
  ids.org_id = org.id;
  ids.user_id = owner.id;
  const kb = await api.call('POST', '/api/v1/knowledge-bases', { token: owner.token, body: { name: 'KB' } });
  ids.kb_id = kb.body.id;
  const text = await api.call('POST', `/api/v1/knowledge-bases/${kb.body.id}/documents`, {
    token: owner.token,
    body: { type: 'text', name: 'Notes', text: 'Opening hours are 9 to 5.' },
  });
  ids.doc_id = text.body.id;
  await api.runtime.queue.drain();
  const bot = await api.call('POST', '/api/v1/chatbots', { token: owner.token, body: { name: 'Bot', knowledgeBaseIds: [kb.body.id] } });
  ids.chatbot_id = bot.body.id;
  const hours = await api.call('POST', `/api/v1/chatbots/${bot.body.id}/schedules`, { token: owner.token, body: { weekday: 1, opensAt: '09:00', closesAt: '18:00' } });
  ids.schedule_id = hours.body.id;
  await api.call('POST', `/api/v1/chatbots/${bot.body.id}/deploy`, { token: owner.token });
  const visitor = await api.call('POST', `/api/v1/widget/${bot.body.id}/session`, { body: {} });
  visitorToken = visitor.body.sessionToken;
  ids.conversation_id = visitor.body.conversationId;
  await api.call('POST', `/api/v1/widget/${bot.body.id}/chat`, { token: visitorToken, body: { message: 'hours?' } });
  ids.session_id = (await api.call('GET', '/api/v1/auth/sessions', { token: owner.token })).body.data[0].id;
  const key = await api.call('POST', '/api/v1/api-keys', { token: owner.token, body: { name: 'key' } });
  ids.key_id = key.body.apiKey.id;
  const hook = await api.call('POST', '/api/v1/webhooks', { token: owner.token, body: { url: 'https://hooks.example.com/x', events: ['message.created'] } });
  if (hook.body?.id) ids.webhook_id = hook.body.id;
}, 60_000);
afterAll(() => api.close());

function resolve(schema: Schema | undefined): Schema {
  let current = schema ?? {};
  while (current.$ref) current = doc.components?.schemas?.[String(current.$ref).split('/').pop()!] ?? {};
  return current;
}

function variants(schema: Schema): Schema[] {
  const s = resolve(schema);
  return (s.anyOf ?? s.oneOf)?.map(resolve) ?? [s];
}

function typeOf(schema: Schema): string {
  const s = variants(schema).find((v) => v.type !== 'null') ?? {};
  if (Array.isArray(s.type)) return s.type.find((t: string) => t !== 'null') ?? 'string';
  return s.type ?? (s.properties ? 'object' : 'string');
}

/** A plausible value for a schema: its example, enum or const, else something of the right type. */
function sample(schema: Schema, depth = 0): unknown {
  const s = variants(schema).find((v) => v.type !== 'null') ?? {};
  if (s.example !== undefined) return s.example;
  if (s.const !== undefined) return s.const;
  if (s.enum) return s.enum[0];
  if (s.default !== undefined) return s.default;
  switch (typeOf(s)) {
    case 'object': {
      if (depth > 3) return {};
      const required = new Set<string>(s.required ?? []);
      return Object.fromEntries(Object.entries(s.properties ?? {}).filter(([k]) => required.has(k)).map(([k, v]) => [k, sample(v as Schema, depth + 1)]));
    }
    case 'array':
      return s.minItems ? [sample(s.items ?? {}, depth + 1)] : [];
    case 'integer':
    case 'number':
      return s.minimum ?? 1;
    case 'boolean':
      return false;
    default:
      if (s.format === 'email') return 'hostile@example.com';
      if (s.format === 'uuid') return crypto.randomUUID();
      if (s.format === 'uri' || s.format === 'url') return 'https://example.com/';
      if (s.format === 'date-time') return new Date().toISOString();
      return 'x'.repeat(Math.max(3, s.minLength ?? 0));
  }
}

/** A value of another JSON type than the schema wants. */
function wrongType(schema: Schema): unknown {
  switch (typeOf(schema)) {
    case 'string':
      return 12345;
    case 'object':
      return 'not an object';
    case 'array':
      return { not: 'an array' };
    default:
      return 'not a number';
  }
}

function fill(path: string): string {
  return path.replace(/\{(\w+)\}/g, (_, name: string) => ids[name] ?? crypto.randomUUID());
}

function bodyCases(op: Operation): Case[] {
  if (op.multipart) {
    return [
      { name: 'upload sent as JSON', body: { file: 'x' } },
      { name: 'upload without a body', raw: '', contentType: 'multipart/form-data; boundary=x' },
      { name: 'broken multipart', raw: '--x\r\nContent-Disposition: form-data; name="file"\r\n\r\n\u0000', contentType: 'multipart/form-data; boundary=x' },
    ];
  }
  if (!op.body) return [];
  const schema = resolve(op.body);
  const base = (typeOf(schema) === 'object' ? sample(schema) : {}) as Record<string, unknown>;
  const cases: Case[] = [];
  for (const [field, fieldSchema] of Object.entries((schema.properties ?? {}) as Record<string, Schema>)) {
    cases.push({ name: `wrong type in "${field}"`, body: { ...base, [field]: wrongType(fieldSchema) } });
    const stringy = typeOf(fieldSchema) === 'string';
    const value = (text: string) => (stringy ? text : typeOf(fieldSchema) === 'array' ? [text] : { [text]: text });
    cases.push({ name: `NUL in "${field}"`, body: { ...base, [field]: value('before\u0000after') } });
    cases.push({ name: `lone surrogate in "${field}"`, body: { ...base, [field]: value('before\uD800after') } });
    if (stringy) cases.push({ name: `1 MB string in "${field}"`, body: { ...base, [field]: BIG } });
  }
  return [
    ...cases,
    { name: 'NUL in an unknown field', body: { ...base, 'extra\u0000': '\u0000' } },
    { name: 'body is an array', body: [base] },
    { name: 'body is null', raw: 'null' },
    { name: 'invalid JSON', raw: '{"name": "x",', expect: 400 },
    { name: 'wrong content type', raw: JSON.stringify(base), contentType: 'text/plain', expect: 415 },
    { name: 'non-UTF-8 bytes', raw: new Uint8Array([0x7b, 0x22, 0x6e, 0x61, 0x6d, 0x65, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0xc3, 0x28, 0x22, 0x7d]), expect: 400 },
    { name: 'body over the size limit', raw: JSON.stringify({ ...base, padding: 'x'.repeat(MAX_JSON_BYTES) }), expect: 413 },
  ];
}

const BAD_SEGMENTS = ['not-an-id', '%zz', '%00', '%ED%A0%80', 'x'.repeat(3000)];

function pathCases(op: Operation): Case[] {
  const cases: Case[] = op.pathParams.flatMap((param) =>
    BAD_SEGMENTS.map((bad) => ({
      name: `path param "${param}" = ${bad.slice(0, 20)}`,
      path: op.path.replace(/\{(\w+)\}/g, (_, name: string) => (name === param ? bad : (ids[name] ?? crypto.randomUUID()))),
    })),
  );
  cases.push({ name: 'malformed escape appended to the path', path: `${fill(op.path)}%E0%A4%A` });
  for (const { name, schema } of op.queryParams) {
    const wrong = typeOf(schema) === 'string' ? '%ED%A0%80' : 'abc';
    for (const bad of [wrong, '%00', '%zz']) {
      cases.push({ name: `query "${name}" = ${bad.slice(0, 20)}`, query: `${encodeURIComponent(name)}=${bad}` });
    }
  }
  return cases;
}

async function send(op: Operation, c: Case) {
  const headers: Record<string, string> = {
    authorization: `Bearer ${op.widget ? visitorToken : owner.token}`,
    'x-organization-id': ids.org_id,
  };
  let body: BodyInit | undefined = c.raw;
  if (c.body !== undefined) body = JSON.stringify(c.body);
  if (body !== undefined) headers['content-type'] = c.contentType ?? 'application/json';
  const url = `${api.baseUrl}${c.path ?? fill(op.path)}${c.query ? `?${c.query}` : ''}`;
  const hasBody = op.method !== 'GET' && op.method !== 'HEAD';
  const res = await fetch(url, { method: op.method, headers, body: hasBody ? body : undefined });
  // Event streams never end by themselves; their status and headers are all this suite needs.
  const text = res.headers.get('content-type')?.includes('text/event-stream') ? (await res.body?.cancel(), '') : await res.text();
  return { status: res.status, text, contentType: res.headers.get('content-type') ?? '' };
}

function problem(op: Operation, c: Case, res: { status: number; text: string; contentType: string }): string | null {
  const where = `${op.method} ${op.path} [${c.name}] -> ${res.status} ${res.text.slice(0, 300)}`;
  if (res.status >= 500) return where;
  if (c.expect !== undefined && res.status !== c.expect) return `${where} (expected ${c.expect})`;
  if (res.status >= 400) {
    let body: any;
    try {
      body = JSON.parse(res.text);
    } catch {
      return `${where} (not the error shape: not JSON)`;
    }
    if (typeof body?.error?.code !== 'string' || typeof body?.error?.message !== 'string') return `${where} (not the error shape)`;
  }
  return null;
}

/** Runs `work` over `items` with at most `limit` in flight. */
async function pool<T>(items: T[], limit: number, work: (item: T) => Promise<void>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < items.length) await work(items[next++]);
    }),
  );
}

describe('hostile input on every operation', () => {
  it('finds the operations it should', () => {
    expect(operations.length).toBeGreaterThan(60);
    expect(operations.filter((o) => o.body).length).toBeGreaterThan(30);
  });

  it('never answers 5xx, and every 4xx has the error shape', async () => {
    const failures: string[] = [];
    let sent = 0;
    // Destructive routes last, so a case that slips through cannot take the fixtures with it.
    const ordered = [...operations].sort((a, b) => Number(a.method === 'DELETE') - Number(b.method === 'DELETE'));
    await pool(ordered, 4, async (op) => {
      for (const c of [...bodyCases(op), ...pathCases(op)]) {
        const res = await send(op, c);
        sent += 1;
        const found = problem(op, c, res);
        if (found) failures.push(found);
      }
    });
    expect(failures, failures.join('\n')).toEqual([]);
    expect(sent).toBeGreaterThan(1000);
    // The fixtures survived, so the later cases ran against real resources too.
    const me = await api.call('GET', '/api/v1/users/profile', { token: owner.token });
    expect(me.status, me.text).toBe(200);
  }, 300_000);

  it('refuses NUL and lone surrogates with 422 invalid_text naming the field', async () => {
    for (const text of ['a\u0000b', 'a\uDC00b']) {
      const res = await api.call('POST', '/api/v1/auth/register', { body: { email: 'nul@example.com', password: 'long-enough-password', name: text } });
      expect(res.status, res.text).toBe(422);
      expect(res.body.error.code).toBe('invalid_text');
      expect(res.body.error.details).toEqual([expect.objectContaining({ path: 'name' })]);
    }
    const nested = await api.call('POST', `/api/v1/widget/${ids.chatbot_id}/session`, { body: { preChat: { company: 'ACME\u0000' } } });
    expect(nested.status, nested.text).toBe(422);
    expect(nested.body.error.details[0].path).toBe('preChat.company');
    const query = await api.call('GET', '/api/v1/conversations?q=%00', { token: owner.token });
    expect(query.status, query.text).toBe(422);
    expect(query.body.error.details[0].path).toBe('query.q');
  });

  it('keeps a visitor chat message with NUL or lone surrogates, cleaned', async () => {
    const res = await fetch(`${api.baseUrl}/api/v1/widget/${ids.chatbot_id}/chat`, {
      method: 'POST',
      headers: { authorization: `Bearer ${visitorToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ message: 'what\u0000 are the \uD800hours?' }),
    });
    expect(res.status).toBe(200);
    const stream = await res.text();
    // Answered too: the cleaned text is what the search and the model get.
    expect(stream).toContain('event: done');
    expect(stream).not.toContain('event: error');
    const thread = await api.call('GET', `/api/v1/widget/${ids.chatbot_id}/messages`, { token: visitorToken });
    const mine = thread.body.data.filter((m: { role: string }) => m.role === 'user').map((m: { content: string }) => m.content);
    expect(mine).toContain('what are the \uFFFDhours?');
  });
});
