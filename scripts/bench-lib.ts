// What the benchmarks share: the local runtime served on a loopback port, a JSON client for its
// API, and percentiles.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { LocalRuntime } from '../functions/local-runtime';
import { createHttpServer } from '../functions/server';

/** The app on 127.0.0.1 (a free port); static files from `frontend`, or 404 without one. */
export async function serveOnLoopback(runtime: LocalRuntime, frontend?: (req: IncomingMessage, res: ServerResponse) => void) {
  const server = createHttpServer(runtime, frontend ?? ((_req, res) => res.writeHead(404).end()));
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return { server, base: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

/** A JSON call that throws on any non-2xx answer; null for 204. */
export function jsonApi(base: string) {
  return async function api(method: string, path: string, token?: string, body?: unknown) {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!res.ok) throw new Error(`${method} ${path} -> ${res.status} ${await res.text()}`);
    return res.status === 204 ? null : ((await res.json()) as any);
  };
}

export function percentile(values: number[], p: number) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
}
