import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A webhook receiver on loopback for tests, the e2e suite and the bench: it keeps every request
 * (headers and raw body) and answers what `respond` says, optionally after a delay.
 */
export interface ReceivedRequest {
  headers: IncomingHttpHeaders;
  rawBody: string;
  body: { id: string; type: string; createdAt: string; organizationId: string; data: Record<string, any> };
  receivedAt: number;
}

export interface ReceiverReply {
  status: number;
  body?: string;
  delayMs?: number;
  /** Answer only once this settles: a receiver that holds every delivery until the test lets go. */
  holdUntil?: Promise<unknown>;
}

export interface WebhookReceiver {
  url: string;
  requests: ReceivedRequest[];
  /** Decides each answer; `index` counts requests from 0. Default: 200 "ok". */
  respond: (request: ReceivedRequest, index: number) => ReceiverReply;
  /** Resolves once `count` requests arrived (woken by each arrival; fails after `timeoutMs`). */
  waitFor(count: number, timeoutMs?: number): Promise<ReceivedRequest[]>;
  close(): Promise<void>;
}

export async function startWebhookReceiver(path = '/hooks/versaai'): Promise<WebhookReceiver> {
  const arrivals = new Set<() => void>();
  const receiver: WebhookReceiver = {
    url: '',
    requests: [],
    respond: () => ({ status: 200, body: 'ok' }),
    waitFor(count, timeoutMs = 15_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (receiver.requests.length < count) return;
          arrivals.delete(check);
          clearTimeout(timer);
          resolve(receiver.requests);
        };
        const timer = setTimeout(() => {
          arrivals.delete(check);
          reject(new Error(`expected ${count} webhook requests, got ${receiver.requests.length}`));
        }, timeoutMs);
        arrivals.add(check);
        check();
      });
    },
    close: () => new Promise<void>((done) => server.close(() => done())),
  };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const rawBody = Buffer.concat(chunks).toString('utf8');
      let body: ReceivedRequest['body'];
      try {
        body = JSON.parse(rawBody);
      } catch {
        body = { id: '', type: '', createdAt: '', organizationId: '', data: {} };
      }
      const request: ReceivedRequest = { headers: req.headers, rawBody, body, receivedAt: Date.now() };
      const index = receiver.requests.push(request) - 1;
      for (const check of [...arrivals]) check();
      const reply = receiver.respond(request, index);
      const answer = () => res.writeHead(reply.status, { 'content-type': 'text/plain' }).end(reply.body ?? '');
      if (reply.holdUntil) void reply.holdUntil.then(answer, answer);
      else if (reply.delayMs) setTimeout(answer, reply.delayMs);
      else answer();
    });
  });
  // Connections the sender keeps alive must not hold `close()` open.
  server.keepAliveTimeout = 1000;
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}${path}`;
  const close = receiver.close;
  receiver.close = async () => {
    server.closeAllConnections();
    await close();
  };
  return receiver;
}
