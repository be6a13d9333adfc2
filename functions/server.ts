import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
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

type NodeHandler = (req: IncomingMessage, res: ServerResponse) => void;

/** The HTTP server both `npm run dev`/`start` and the integration tests use. */
export function createHttpServer(runtime: LocalRuntime, frontend: NodeHandler) {
  // Rate limits, sessions and audit entries key on the caller's IP; it comes from the socket and
  // replaces any x-real-ip a client sent.
  const api = getRequestListener((request, env: HttpBindings | Http2Bindings) => {
    const headers = new Headers(request.headers);
    headers.set('x-real-ip', env.incoming.socket.remoteAddress ?? 'unknown');
    return runtime.app.fetch(new Request(request, { headers }), env);
  });
  return createServer((req, res) => {
    const path = req.url ?? '/';
    if (API_PREFIXES.some((prefix) => path === prefix.replace(/\/$/, '') || path.startsWith(prefix))) {
      void api(req, res);
    } else {
      frontend(req, res);
    }
  });
}

export async function startServer(options: { dev?: boolean } = {}) {
  const env = process.env;
  const port = Number(env.PORT ?? 8787);
  const host = env.HOST ?? '127.0.0.1';
  const root = repoRoot();
  const dataDir = resolve(root, env.DATA_DIR ?? '.data');
  const runtime = await startLocalRuntime({ dataDir, env, port, runJobs: true });

  let frontend: (req: IncomingMessage, res: ServerResponse) => void = (req, res) =>
    serveStatic(join(root, 'dist', 'web'), req, res);
  let closeFrontend = async () => {};

  const server = createHttpServer(runtime, (req, res) => frontend(req, res));

  if (options.dev) {
    const { createServer: createVite } = await import('vite');
    const vite = await createVite({
      configFile: join(root, 'web', 'vite.config.ts'),
      server: { middlewareMode: true, ws: { server } },
      appType: 'spa',
    });
    frontend = (req, res) => vite.middlewares(req, res);
    closeFrontend = () => vite.close();
  }

  await new Promise<void>((done) => server.listen(port, host, done));
  // The local stand-in for the Workers cron: hourly, and the day's deduplication id keeps each
  // daily job to one run per day.
  const daily = () => enqueueDailyJobs(runtime.services, new Date().toISOString().slice(0, 10)).catch((e) => console.error('[daily]', e));
  void daily();
  const dailyTimer = setInterval(daily, 3_600_000);
  dailyTimer.unref();
  console.log(`VersaAI is running at ${runtime.config.APP_URL} (data in ${dataDir})`);

  const shutdown = async () => {
    clearInterval(dailyTimer);
    server.close();
    await closeFrontend();
    await runtime.close();
    process.exit(0);
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
  return { server, runtime };
}

const invokedDirectly = process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (invokedDirectly) {
  startServer({ dev: process.argv.includes('--dev') }).catch((error) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
