import { createHash, createHmac, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What a fake received, readable by the tests over `GET /__received` (they run in other processes). */
export interface Received {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: unknown;
  at: string;
}

export interface FakeServer {
  url: string;
  close(): Promise<void>;
}

type Handler = (req: IncomingMessage, body: unknown, res: ServerResponse, raw: string) => void;
/** Extra unauthenticated inspection endpoints; return true when handled. */
type Inspector = (req: IncomingMessage, res: ServerResponse) => boolean;

async function startRecordingServer(authorized: (req: IncomingMessage) => boolean, handler: Handler, inspect?: Inspector): Promise<FakeServer> {
  const received: Received[] = [];
  const server = createServer(async (req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (req.method === 'GET' && path === '/__received') return json(res, 200, received);
    if (inspect?.(req, res)) return;
    if (!authorized(req)) return json(res, 401, { error: 'Unauthorized' });
    const raw = await readBody(req);
    let body: unknown = raw;
    try {
      body = raw ? JSON.parse(raw) : null;
    } catch {
      // Not JSON: keep the text.
    }
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers[k] = v;
    received.push({ method: req.method ?? 'GET', path: decodeURIComponent(path), headers, body, at: new Date().toISOString() });
    handler(req, body, res, raw);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** A Resend-compatible mail API: `POST /emails` with a bearer key answers `{ id }`. */
export function startFakeMail(apiKey: string): Promise<FakeServer> {
  return startRecordingServer(bearer(apiKey), (req, body, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (req.method !== 'POST' || path !== '/emails') return json(res, 404, { message: 'not found' });
    const mail = body as Record<string, unknown> | null;
    const missing = ['from', 'to', 'subject'].filter((k) => !mail?.[k]);
    if (missing.length) return json(res, 422, { name: 'validation_error', message: `Missing ${missing.join(', ')}` });
    json(res, 200, { id: randomUUID() });
  });
}

/** One delivery attempt the fake QStash made to a job route. */
export interface Delivery {
  messageId: string;
  url: string;
  attempt: number;
  status: number;
  /** The answering worker's `X-VersaAI-Worker` header (`ingest` from the ingestion worker). */
  worker: string | null;
  at: string;
}

/**
 * The part of QStash the edge queue uses, delivering like QStash does: `POST /v2/publish/<url>`
 * answers `{ messageId }` and then POSTs the body to `<url>` with an `Upstash-Signature` JWT
 * (HS256 with the current signing key; `iss` Upstash, `sub` the URL, `body` the base64url SHA-256
 * of the body), honouring `Upstash-Delay`, `Upstash-Retries` (short back-off here) and
 * `Upstash-Deduplication-Id`. `GET /v2/queues` answers `[]` (the adapter's ping).
 * Delivery attempts are listed at `GET /__deliveries`.
 */
export async function startFakeQStash(options: { token: string; currentSigningKey: string }): Promise<FakeServer> {
  const deliveries: Delivery[] = [];
  const dedup = new Map<string, string>();
  const timers = new Set<NodeJS.Timeout>();
  let closed = false;
  const later = (ms: number, fn: () => void) => {
    const t = setTimeout(() => {
      timers.delete(t);
      if (!closed) fn();
    }, ms);
    timers.add(t);
  };

  const sign = (url: string, body: string, messageId: string) => {
    const now = Math.floor(Date.now() / 1000);
    const b64url = (data: string | Buffer) => Buffer.from(data).toString('base64url');
    const header = b64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
    const claims = b64url(
      JSON.stringify({ iss: 'Upstash', sub: url, exp: now + 300, nbf: now, iat: now, jti: messageId, body: createHash('sha256').update(body).digest('base64url') }),
    );
    const mac = createHmac('sha256', options.currentSigningKey).update(`${header}.${claims}`).digest('base64url');
    return `${header}.${claims}.${mac}`;
  };

  const deliver = (messageId: string, url: string, body: string, headers: Record<string, string>, retries: number, attempt = 0) => {
    void fetch(url, {
      method: 'POST',
      headers: { ...headers, 'Upstash-Signature': sign(url, body, messageId), 'Upstash-Message-Id': messageId, 'Upstash-Retried': String(attempt) },
      body,
    })
      .then(async (res) => {
        await res.body?.cancel();
        return { status: res.status, worker: res.headers.get('x-versaai-worker') };
      })
      .catch(() => ({ status: 0, worker: null }))
      .then(({ status, worker }) => {
        deliveries.push({ messageId, url, attempt, status, worker, at: new Date().toISOString() });
        if ((status < 200 || status >= 300) && attempt < retries) later(200 * 2 ** attempt, () => deliver(messageId, url, body, headers, retries, attempt + 1));
      });
  };

  const server = await startRecordingServer(bearer(options.token), (req, _parsed, res, raw) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (req.method === 'GET' && path === '/v2/queues') return json(res, 200, []);
    if (req.method !== 'POST' || !path.startsWith('/v2/publish/')) return json(res, 404, { error: `not faked: ${req.method} ${path}` });

    const destination = decodeURIComponent(path.slice('/v2/publish/'.length));
    if (!/^https?:\/\//.test(destination)) return json(res, 400, { error: `invalid destination: ${destination}` });
    const header = (name: string) => {
      const v = req.headers[name];
      return typeof v === 'string' ? v : undefined;
    };
    const dedupId = header('upstash-deduplication-id');
    if (dedupId && dedup.has(dedupId)) return json(res, 201, { messageId: dedup.get(dedupId), deduplicated: true });
    const messageId = `msg_${randomUUID()}`;
    if (dedupId) dedup.set(dedupId, messageId);

    const forward: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) {
      if (typeof v !== 'string') continue;
      if (k === 'content-type') forward['Content-Type'] = v;
      else if (k.startsWith('upstash-forward-')) forward[k.slice('upstash-forward-'.length)] = v;
    }
    const retries = Number(header('upstash-retries') ?? 3);
    const delaySeconds = Number.parseInt(header('upstash-delay') ?? '0', 10) || 0;
    json(res, 201, { messageId });
    later(delaySeconds * 1000, () => deliver(messageId, destination, raw, forward, retries));
  }, (req, res) => {
    if (req.method === 'GET' && new URL(req.url ?? '/', 'http://x').pathname === '/__deliveries') {
      json(res, 200, deliveries);
      return true;
    }
    return false;
  });
  return {
    url: server.url,
    close: async () => {
      closed = true;
      for (const t of timers) clearTimeout(t);
      await server.close();
    },
  };
}

/**
 * Pinecone's data plane (`Api-Key` header): upsert, query (cosine), delete by ids or a whole
 * namespace, describe_index_stats. In memory, one map per namespace.
 */
export function startFakePinecone(apiKey: string): Promise<FakeServer> {
  type Vector = { id: string; values: number[]; metadata?: Record<string, unknown> };
  const namespaces = new Map<string, Map<string, Vector>>();
  const ns = (name: unknown) => {
    const key = typeof name === 'string' ? name : '';
    if (!namespaces.has(key)) namespaces.set(key, new Map());
    return namespaces.get(key)!;
  };
  const cosine = (a: number[], b: number[]) => {
    let dot = 0;
    let na = 0;
    let nb = 0;
    for (let i = 0; i < a.length; i++) {
      dot += a[i]! * (b[i] ?? 0);
      na += a[i]! ** 2;
      nb += (b[i] ?? 0) ** 2;
    }
    return na && nb ? dot / Math.sqrt(na * nb) : 0;
  };
  return startRecordingServer(
    (req) => req.headers['api-key'] === apiKey,
    (req, raw, res) => {
      const path = new URL(req.url ?? '/', 'http://x').pathname;
      const body = (raw ?? {}) as Record<string, any>;
      if (req.method !== 'POST') return json(res, 405, { message: 'POST only' });
      switch (path) {
        case '/vectors/upsert': {
          const vectors = (body.vectors ?? []) as Vector[];
          for (const v of vectors) ns(body.namespace).set(v.id, v);
          return json(res, 200, { upsertedCount: vectors.length });
        }
        case '/query': {
          if (!namespaces.has(body.namespace ?? '')) return json(res, 404, { code: 5, message: 'Namespace not found' });
          const matches = [...ns(body.namespace).values()]
            .map((v) => ({ id: v.id, score: cosine(body.vector ?? [], v.values), ...(body.includeMetadata && v.metadata ? { metadata: v.metadata } : {}) }))
            .sort((a, b) => b.score - a.score)
            .slice(0, Number(body.topK ?? 10));
          return json(res, 200, { matches, namespace: body.namespace ?? '' });
        }
        case '/vectors/delete': {
          if (!namespaces.has(body.namespace ?? '')) return json(res, 404, { code: 5, message: 'Namespace not found' });
          if (body.deleteAll) namespaces.delete(body.namespace ?? '');
          else for (const id of body.ids ?? []) ns(body.namespace).delete(id);
          return json(res, 200, {});
        }
        case '/describe_index_stats': {
          const stats = Object.fromEntries([...namespaces].map(([name, m]) => [name, { vectorCount: m.size }]));
          const total = [...namespaces.values()].reduce((n, m) => n + m.size, 0);
          return json(res, 200, { namespaces: stats, dimension: 0, indexFullness: 0, totalVectorCount: total });
        }
        default:
          return json(res, 404, { message: `not faked: ${path}` });
      }
    },
  );
}

function bearer(token: string) {
  return (req: IncomingMessage) => req.headers.authorization === `Bearer ${token}`;
}

export function json(res: ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));
}

export function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
