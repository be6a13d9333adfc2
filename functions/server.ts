import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { extname, join, normalize, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { getRequestListener, type HttpBindings, type Http2Bindings } from '@hono/node-server';
import { enqueueDailyJobs } from './core/jobs/registry';
import { startLocalRuntime, type LocalRuntime } from './local-runtime';

/**
 * Node entry: the local runtime on one origin. `/api/*` and `/health` go to the Hono app; every
 * other path is the dashboard (built files with SPA fallback, or Vite with hot reload in dev),
 * like Workers static assets with `run_worker_first` on the edge.
 */
type NodeHandler = (req: IncomingMessage, res: ServerResponse) => void;

const API_PREFIXES = ['/api/', '/health'];
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

/** Serves a built file, or index.html for client-side routes; never a path outside `root`. */
export function serveStatic(root: string, req: IncomingMessage, res: ServerResponse) {
  const pathname = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
  const candidate = normalize(join(root, pathname));
  const inside = candidate.startsWith(root);
  const file = inside && existsSync(candidate) && statSync(candidate).isFile() ? candidate : join(root, 'index.html');
  if (!existsSync(file)) {
    res.writeHead(503, { 'content-type': 'text/plain; charset=utf-8' });
    res.end('The dashboard is not built: run `npm run build` (or use `npm run dev`).');
    return;
  }
  const hashed = file.includes(`${join(root, 'assets')}`);
  res.writeHead(200, {
    'content-type': MIME[extname(file)] ?? 'application/octet-stream',
    'cache-control': hashed ? 'public, max-age=31536000, immutable' : 'no-cache',
    'x-content-type-options': 'nosniff',
  });
  res.end(readFileSync(file));
}

/** Routes `/api/*` and `/health` to the Hono app and everything else to the dashboard. */
export function createRequestListener(runtime: LocalRuntime, frontend: NodeHandler): NodeHandler {
  // Rate limits, sessions and audit entries key on the caller's IP; it comes from the socket and
  // replaces any x-real-ip a client sent.
  const api = getRequestListener((request, env: HttpBindings | Http2Bindings) => {
    const headers = new Headers(request.headers);
    headers.set('x-real-ip', env.incoming.socket.remoteAddress ?? 'unknown');
    return runtime.app.fetch(new Request(request, { headers }), env);
  });
  return (req, res) => {
    const path = req.url ?? '/';
    if (API_PREFIXES.some((prefix) => path === prefix.replace(/\/$/, '') || path.startsWith(prefix))) {
      void api(req, res);
    } else {
      frontend(req, res);
    }
  };
}

/** The HTTP server both `npm run dev`/`start` and the integration tests use. */
export function createHttpServer(runtime: LocalRuntime, frontend: NodeHandler) {
  return createServer(createRequestListener(runtime, frontend));
}

export interface StartServerOptions {
  /** Vite with hot reload for the dashboard instead of the built files. */
  dev?: boolean;
  /** Requests answered before the dashboard (dev: the widget rebuilt on change); true = handled. */
  devAssets?: { handle(req: IncomingMessage, res: ServerResponse): boolean; close(): Promise<void> };
}

/** One line per start-up step with the seconds since the process started, so a slow start is visible. */
function progress(line: string) {
  console.log(`${(performance.now() / 1000).toFixed(1).padStart(5)} s  ${line}`);
}

async function startVite(root: string, server: Server) {
  const { createServer: createVite } = await import('vite');
  return createVite({
    configFile: join(root, 'web', 'vite.config.ts'),
    server: { middlewareMode: true, ws: { server } },
    appType: 'spa',
  });
}

export async function startServer(options: StartServerOptions = {}) {
  const env = process.env;
  const port = Number(env.PORT ?? 8787);
  const host = env.HOST ?? '127.0.0.1';
  const root = repoRoot();
  const dataDir = resolve(root, env.DATA_DIR ?? '.data');
  const appUrl = env.APP_URL ?? `http://localhost:${port}`;

  // Listen first: a browser opened early waits for the page instead of failing to connect.
  let listener: NodeHandler | null = null;
  let whenReady: () => void = () => {};
  const ready = new Promise<void>((done) => (whenReady = done));
  const server = createServer((req, res) => {
    if (listener) return listener(req, res);
    void ready.then(() => listener!(req, res));
  });
  await new Promise<void>((done, fail) => server.once('error', fail).listen(port, host, () => done()));
  progress(`Listening on ${appUrl}; starting${options.dev ? ' (development)' : ''}…`);

  // Vite starts while the database opens: both take a second or more and only meet here.
  if (options.dev) progress('Starting Vite for the dashboard…');
  const vitePending = options.dev ? startVite(root, server) : null;
  vitePending?.catch(() => {});
  progress(`Opening the database in ${dataDir} (migrations run only when the schema changed)…`);
  const runtime = await startLocalRuntime({ dataDir, env, port, runJobs: true });
  progress('Database ready');

  let frontend: NodeHandler = (req, res) => serveStatic(join(root, 'dist', 'web'), req, res);
  let closeFrontend = async () => {};
  if (vitePending) {
    const vite = await vitePending;
    const assets = options.devAssets;
    frontend = (req, res) => {
      if (!assets?.handle(req, res)) vite.middlewares(req, res);
    };
    closeFrontend = async () => {
      await assets?.close();
      await vite.close();
    };
    progress('Vite ready');
  }
  listener = createRequestListener(runtime, frontend);
  whenReady();

  // The local stand-in for the Workers cron: hourly, and the day's deduplication id keeps each
  // daily job to one run per day.
  const daily = () => enqueueDailyJobs(runtime.services, new Date().toISOString().slice(0, 10)).catch((e) => console.error('[daily]', e));
  void daily();
  const dailyTimer = setInterval(daily, 3_600_000);
  dailyTimer.unref();
  progress(`Dashboard ready at ${runtime.config.APP_URL} (data in ${dataDir})`);

  const shutdown = async () => {
    clearInterval(dailyTimer);
    server.close();
    await closeFrontend();
    await runtime.close();
    process.exit(0);
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
  return { server, runtime, dataDir };
}

const invokedDirectly = process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (invokedDirectly) {
  startServer({ dev: process.argv.includes('--dev') }).catch((error) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
