import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { BlockList, isIP, type Socket } from 'node:net';
import { extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { getRequestListener, type HttpBindings, type Http2Bindings } from '@hono/node-server';
import type { Config, TrustProxy } from './lib/config';
import { logError } from './lib/log';
import type { NodeRequestBindings } from './lib/request';
import { dashboardSecurityHeaders } from './lib/security-headers';
import { devDashboardSettings, startDevDashboardInProcess, type DevDashboard } from './dev-dashboard';
import type { LocalRuntime } from './local-runtime';
import { isApiPath, listenAddress, listenEarly, type EarlyServer, type NodeHandler } from './early-listener';
import { serveLoopStatsOverIpc } from './adapters/local/loop-monitor';
import { noteAccepted, noteRefusal } from './adapters/local/door-timing';
import { sendEventStream } from './adapters/local/event-stream';

/**
 * Node entry: the local runtime on one origin. `/api/*` and `/health` go to the Hono app; every
 * other path is the dashboard (built files with SPA fallback, or Vite with hot reload in dev),
 * like Workers static assets with `run_worker_first` on the edge.
 */
const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
  '.map': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
};

function repoRoot(): string {
  let dir = fileURLToPath(new URL('.', import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) dir = resolve(dir, '..');
  return dir;
}

/** Answers in the API's one error shape, for what the server refuses before the app runs. */
function refuse(res: ServerResponse, status: number, code: string, message: string) {
  const body = JSON.stringify({ error: { code, message } });
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body), 'cache-control': 'no-store' });
  res.end(body);
}

/** The decoded path of a request, or undefined when it cannot name a file (bad escapes, NUL). */
function decodedPathname(url: string | undefined): string | undefined {
  try {
    const pathname = decodeURIComponent(new URL(url ?? '/', 'http://x').pathname);
    return pathname.includes('\0') ? undefined : pathname;
  } catch {
    return undefined;
  }
}

/** Serves a built file, or index.html for client-side routes; never a path outside `root`. */
export function serveStatic(root: string, req: IncomingMessage, res: ServerResponse) {
  const pathname = decodedPathname(req.url);
  if (pathname === undefined) return refuse(res, 400, 'bad_request', 'The request path is not a valid URL path');
  const base = resolve(root);
  const candidate = resolve(base, `.${pathname}`);
  const inside = candidate.startsWith(base + sep);
  const found = inside ? statSync(candidate, { throwIfNoEntry: false }) : undefined;
  const file = found?.isFile() ? candidate : join(base, 'index.html');
  if (!existsSync(file)) {
    res.writeHead(503, { 'content-type': 'text/plain; charset=utf-8' });
    res.end('The dashboard is not built: run `npm run build` (or use `npm run dev`).');
    return;
  }
  const hashed = file.startsWith(join(base, 'assets') + sep);
  res.writeHead(200, {
    ...dashboardSecurityHeaders(),
    'content-type': MIME[extname(file)] ?? 'application/octet-stream',
    'cache-control': hashed ? 'public, max-age=31536000, immutable' : 'no-cache',
  });
  res.end(readFileSync(file));
}


/** An IPv4 client on a dual-stack socket shows as ::ffff:a.b.c.d; rate limits want one spelling. */
function plainAddress(address: string): string {
  return address.startsWith('::ffff:') && isIP(address.slice(7)) === 4 ? address.slice(7) : address;
}

function proxyList(trust: TrustProxy): BlockList | undefined {
  if (trust.kind !== 'ranges') return undefined;
  const list = new BlockList();
  for (const range of trust.ranges) {
    const [address, prefix] = range.split('/');
    const type = isIP(address) === 6 ? 'ipv6' : 'ipv4';
    if (prefix === undefined) list.addAddress(address, type);
    else list.addSubnet(address, Number(prefix), type);
  }
  return list;
}

/**
 * The client's address: the socket's, unless TRUST_PROXY names the proxies in front of us. Then
 * X-Forwarded-For is read from the right (the entry our proxy added) past every trusted hop; the
 * left part is whatever the client wrote and is never believed.
 */
export function clientAddress(socketAddress: string | undefined, forwardedFor: string | string[] | undefined, trust: TrustProxy): string {
  const socket = plainAddress(socketAddress ?? 'unknown');
  if (trust.kind === 'none') return socket;
  const forwarded = [forwardedFor ?? []].flat().join(',').split(',').map((entry) => plainAddress(entry.trim())).reverse();
  const hops = [socket, ...forwarded];
  const trusted = proxyList(trust);
  for (let i = 0; i < hops.length - 1; i += 1) {
    const isProxy = trusted ? isIP(hops[i]) !== 0 && trusted.check(hops[i], isIP(hops[i]) === 6 ? 'ipv6' : 'ipv4') : i < (trust.kind === 'hops' ? trust.hops : 0);
    if (!isProxy || isIP(hops[i + 1]) === 0) return hops[i];
  }
  return hops[hops.length - 1];
}

const LOOPBACK_NAMES = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * DNS rebinding defence: a hostile page whose name resolves to this machine sends its own name as
 * Host. IP literals and loopback names cannot be rebound, so they pass; any other name must be
 * APP_URL's host or listed in ALLOWED_HOSTS.
 */
export function hostAllowed(host: string | undefined, config: Pick<Config, 'APP_URL' | 'ALLOWED_HOSTS'>): boolean {
  if (!host) return true;
  let url: URL;
  try {
    url = new URL(`http://${host}`);
  } catch {
    return false;
  }
  const { hostname } = url;
  if (/[/@?#\\\s]/.test(host)) return false;
  if (LOOPBACK_NAMES.has(hostname) || hostname.endsWith('.localhost') || isIP(hostname.replace(/^\[|\]$/g, '')) !== 0) return true;
  if (url.host === new URL(config.APP_URL).host) return true;
  return config.ALLOWED_HOSTS.includes(hostname) || config.ALLOWED_HOSTS.includes(url.host);
}

/**
 * A handler that throws (or rejects) answers 500 and is logged once; nothing a client sends may end
 * the process, which also serves every other client and runs the jobs.
 */
function answerFailure(where: string, req: IncomingMessage, res: ServerResponse, error: unknown) {
  logError('http handler failed', error, { where, method: req.method });
  if (res.headersSent) res.destroy();
  else refuse(res, 500, 'internal_error', 'Something went wrong on our side; it has been logged');
}

/** How long and how much of a refused body is still read after the answer (see lingerOverUnreadBody). */
export const LINGER = { ms: 10_000, bytes: 64 * 1024 * 1024 };

/**
 * A request answered before its body was read (a 413 on the declared length, a 401 before an
 * upload) still has bytes in flight. Closing the socket then makes the kernel reset the
 * connection, and a reset discards the answer the client has not read yet: the client sees
 * "socket hang up" instead of the 413. So the rest of the body is read and thrown away, bounded
 * in time and bytes (a client that never stops sending is cut off), and only then may the
 * connection close: the lingering close of nginx and Apache.
 */
export function lingerOverUnreadBody(req: IncomingMessage) {
  const socket = req.socket;
  const hasBody = Number(req.headers['content-length'] ?? 0) > 0 || req.headers['transfer-encoding'] !== undefined;
  if (!hasBody || req.readableEnded || !socket || socket.destroyed) return;
  // On a `Connection: close` exchange Node has just called destroySoon(), which destroys the
  // socket once the answer is written; keep it for reading instead and close it ourselves.
  const closing = socket.listeners('finish').some((l) => l === socket.destroy || (l as { listener?: unknown }).listener === socket.destroy);
  socket.removeListener('finish', socket.destroy);
  // The app's body reader (a web stream over `req`) pauses `req` whenever its queue is full; the
  // answer is sent and nobody will read that queue, so it is detached before draining.
  req.removeAllListeners('data');
  req.removeAllListeners('readable');
  // Counted as they reach the socket: a body nobody began to read (a 413 on the declared length)
  // has already been dumped by Node when the answer finished, and a dumped request emits no 'data'.
  let read = 0;
  const stop = () => {
    clearTimeout(timer);
    socket.off('data', count);
  };
  const close = () => {
    stop();
    socket.destroySoon();
  };
  const count = (chunk: Buffer) => {
    read += chunk.length;
    if (read > LINGER.bytes) close();
  };
  const timer = setTimeout(close, LINGER.ms);
  timer.unref();
  socket.on('data', count);
  req.once('end', () => (closing ? close() : stop()));
  req.once('error', close);
  // Listener removals settle on the next tick; a resume() before that would leave `req` paused.
  process.nextTick(() => req.resume());
}

/**
 * Routes `/api/*` and `/health` to the Hono app and everything else to the dashboard, after the
 * Host check; a handler that throws answers 500 and the process keeps serving.
 */
export function createRequestListener(runtime: LocalRuntime, frontend: NodeHandler): NodeHandler {
  const { config } = runtime;
  const api = getRequestListener(
    (request, env: HttpBindings | Http2Bindings) => {
      // The address travels beside the request, not in a copy of it: a copied Request is a full
      // web Request with its body as a web stream, where the adapter's own reads the socket directly.
      const bindings: NodeRequestBindings = { ...env, clientIp: clientAddress(env.incoming.socket.remoteAddress, env.incoming.headers['x-forwarded-for'], config.TRUST_PROXY) };
      const answer = runtime.app.fetch(request, bindings);
      // A chat answer's events go straight to the socket (adapters/local/event-stream.ts); a
      // synchronous answer is never one, and anything else goes back to the adapter as it is.
      return answer instanceof Promise ? answer.then((response) => sendEventStream(response, env.outgoing)) : answer;
    },
    // The adapter would cut an unread body off after 500 ms; lingerOverUnreadBody waits longer.
    { autoCleanupIncoming: false },
  );
  const dashboard = createFrontendListener(config, frontend);
  return (req, res) => {
    if (!isApiPath(req.url)) return dashboard(req, res);
    const arrived = performance.now();
    const fail = (error: unknown) => answerFailure('api', req, res, error);
    try {
      if (!hostAllowed(req.headers.host, config)) return refuseHost(res);
      res.once('finish', () => {
        if (res.statusCode === 429 || res.statusCode === 503) noteRefusal(req.socket, arrived);
        lingerOverUnreadBody(req);
      });
      api(req, res).catch(fail);
    } catch (error) {
      fail(error);
    }
  };
}

function refuseHost(res: ServerResponse) {
  refuse(res, 421, 'misdirected_request', 'This server does not answer for that host name; add it to ALLOWED_HOSTS');
}

/**
 * Every path but the API's: the dashboard after the Host check. It needs no database, so the
 * server answers with it before the runtime is up (the API's requests wait for that).
 */
function createFrontendListener(config: Pick<Config, 'APP_URL' | 'ALLOWED_HOSTS'>, frontend: NodeHandler): NodeHandler {
  return (req, res) => {
    const fail = (error: unknown) => answerFailure('frontend', req, res, error);
    try {
      if (!hostAllowed(req.headers.host, config)) return refuseHost(res);
      Promise.resolve(frontend(req, res)).catch(fail);
    } catch (error) {
      fail(error);
    }
  };
}

/** The HTTP server the integration tests use; `startServer` builds the same listener. */
export function createHttpServer(runtime: LocalRuntime, frontend: NodeHandler) {
  return createServer(createRequestListener(runtime, frontend));
}

export interface StartServerOptions {
  /** Vite with hot reload for the dashboard instead of the built files. */
  dev?: boolean;
  /** With `dev`: Vite already starting elsewhere (`npm run dev` runs it in a child process); in-process otherwise. */
  devDashboard?: Promise<DevDashboard>;
  /** Requests answered before the dashboard (dev: the widget rebuilt on change); true = handled. */
  devAssets?: { handle(req: IncomingMessage, res: ServerResponse): boolean; close(): Promise<void> };
  /** The port, already listening (`npm run dev` opens it before loading the server); opened here otherwise. */
  listening?: EarlyServer;
  /** The environment to read settings from (tests); `process.env` otherwise. */
  env?: Record<string, string | undefined>;
}

/**
 * The runtime (the app, the database, the jobs: most of the server's code) is imported only once
 * the port is open and the dashboard served, so the bundle keeps it in a chunk of its own and
 * parsing it no longer delays either.
 */
function loadRuntime() {
  return import('./local-runtime');
}

/** The dashboard from Vite (dev), the widget's dev build first; hot reload's WebSocket goes to Vite too. */
function viteFrontend(vite: DevDashboard, assets: StartServerOptions['devAssets'], server: Server, hosts: Pick<Config, 'APP_URL' | 'ALLOWED_HOSTS'>) {
  const headers = dashboardSecurityHeaders({ dev: true });
  const upgrade = vite.upgrade?.bind(vite);
  if (upgrade) server.on('upgrade', (req, socket, head) => (hostAllowed(req.headers.host, hosts) ? upgrade(req, socket as Socket, head) : socket.destroy()));
  const frontend: NodeHandler = (req, res) => {
    if (assets?.handle(req, res)) return;
    for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
    vite.handle(req, res);
  };
  const close = async () => {
    await assets?.close();
    await vite.close();
  };
  return { frontend, close };
}

/** One line per start-up step with the seconds since the process started, so a slow start is visible. */
function progress(line: string) {
  console.log(`${(performance.now() / 1000).toFixed(1).padStart(5)} s  ${line}`);
}

export async function startServer(options: StartServerOptions = {}) {
  const env = options.env ?? process.env;
  const { port, host, appUrl } = listenAddress(env);
  const root = repoRoot();
  const dataDir = resolve(root, env.DATA_DIR ?? '.data');

  // Listen first: a browser opened early waits for the page instead of failing to connect.
  const early = options.listening ?? (await listenEarly(port, host));
  const { server } = early;
  server.on('connection', noteAccepted);
  if (!options.listening) progress(`Listening on ${appUrl}; starting${options.dev ? ' (development)' : ''}…`);
  // The dashboard is served as soon as it can be (it needs no database); the API once the runtime is up.
  let listener: NodeHandler | null = null;
  let dashboardFirst: NodeHandler | null = null;
  let whenReady: () => void = () => {};
  const ready = new Promise<void>((done) => (whenReady = done));
  let whenDashboardReady: () => void = () => {};
  const dashboardReady = new Promise<void>((done) => (whenDashboardReady = done));
  early.takeOver((req, res) => {
    if (listener) return listener(req, res);
    if (isApiPath(req.url)) return void ready.then(() => listener!(req, res));
    void dashboardReady.then(() => (listener ?? dashboardFirst!)(req, res));
  });
  // A benchmark that spawned us asks for event-loop blocking figures over IPC.
  let openedRuntime: LocalRuntime | undefined;
  // With the database gate's figures (where requests' database time went) once it is open.
  const stopLoopStats = serveLoopStatsOverIpc(() => openedRuntime?.database.gate.stats({ reset: true }));
  // Before the runtime has read its configuration, the Host check reads the same variables.
  const hosts = { APP_URL: appUrl, ALLOWED_HOSTS: devDashboardSettings(env, root).allowedHosts };

  // Vite starts while the database opens: both take a second or more and only meet here.
  if (options.dev) progress('Starting Vite for the dashboard…');
  const vitePending = options.dev ? (options.devDashboard ?? startDevDashboardInProcess(devDashboardSettings(env, root), server)) : null;
  vitePending?.catch(() => {});
  let frontend: NodeHandler = (req, res) => serveStatic(join(root, 'dist', 'web'), req, res);
  let closeFrontend = async () => {};
  const frontendPending = vitePending
    ? vitePending.then((vite) => {
        ({ frontend, close: closeFrontend } = viteFrontend(vite, options.devAssets, server, hosts));
        progress('Vite ready');
      })
    : Promise.resolve();
  frontendPending.then(() => {
    dashboardFirst = createFrontendListener(hosts, frontend);
    whenDashboardReady();
  }, () => {});
  progress(`Opening the database in ${dataDir} (migrations run only when the schema changed)…`);
  let runtime: LocalRuntime;
  try {
    runtime = await loadRuntime().then(({ startLocalRuntime }) => startLocalRuntime({ dataDir, env, port, runJobs: true }));
    openedRuntime = runtime;
  } catch (error) {
    // Another runtime holds the data directory (or it cannot be opened): stop serving, say why.
    stopLoopStats?.();
    server.closeAllConnections();
    await new Promise((done) => server.close(done));
    await vitePending?.then((vite) => vite.close()).catch(() => {});
    throw error;
  }
  progress('Database ready');
  await frontendPending;
  listener = createRequestListener(runtime, frontend);
  whenReady();
  whenDashboardReady();

  // The local stand-in for the Workers cron: hourly, and the day's deduplication id keeps each
  // daily job to one run per day.
  const { enqueueDailyJobs } = await import('./core/jobs/registry');
  const daily = () => enqueueDailyJobs(runtime.services, new Date().toISOString().slice(0, 10)).catch((e) => logError('daily jobs failed', e));
  void daily();
  const dailyTimer = setInterval(daily, 3_600_000);
  dailyTimer.unref();
  progress(`Dashboard ready at ${runtime.config.APP_URL} (data in ${dataDir})`);

  const close = async () => {
    clearInterval(dailyTimer);
    stopLoopStats?.();
    server.closeAllConnections();
    await new Promise((done) => server.close(done));
    await closeFrontend();
    await runtime.close();
  };
  const shutdown = async () => {
    await close();
    process.exit(0);
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
  return {
    server,
    runtime,
    dataDir,
    /** Stops serving and releases the data directory (tests; signals do the same, then exit). */
    async close() {
      process.off('SIGINT', shutdown);
      process.off('SIGTERM', shutdown);
      await close();
    },
  };
}

const invokedDirectly = process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (invokedDirectly) {
  startServer({ dev: process.argv.includes('--dev') }).catch((error) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
