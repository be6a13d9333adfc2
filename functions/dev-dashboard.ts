// The dashboard under Vite for `npm run dev`, in-process or in a process of its own.
//
// `npm run dev` runs Vite in a child process started before anything else, so Vite's start, its
// route generation and the first page's transforms run on the second core while the server's
// bundle loads and the database opens on the first (one thread did all of it one after the
// other). The server forwards the dashboard's requests and the hot-reload WebSocket to it.
//
// No local imports: plain Node (type stripping) runs this file as the child's entry, and
// scripts/dev.ts loads it the same way.
import { fork, type ChildProcess } from 'node:child_process';
import { Agent, createServer, request, type IncomingMessage, type RequestOptions, type Server, type ServerResponse } from 'node:http';
import { connect, type Server as TcpServer, type Socket } from 'node:net';
import { flushCompileCache } from 'node:module';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { InlineConfig, ViteDevServer } from 'vite';

/** What the server needs from the dashboard's dev server, wherever it runs. */
export interface DevDashboard {
  handle(req: IncomingMessage, res: ServerResponse): void;
  /** Takes a WebSocket upgrade (Vite's hot reload) over; undefined when Vite listens on the server itself. */
  upgrade?(req: IncomingMessage, socket: Socket, head: Buffer): void;
  /**
   * Vite's process accepts connections on the public port too (its listening sockets, shared),
   * and passes what is not the dashboard's to `serverPort`, the server's loopback door.
   */
  share?(sockets: (Server | TcpServer)[], sharing: SharedPort): Promise<void>;
  close(): Promise<void>;
}

/** How Vite's process answers on the shared public port, as the server would. */
export interface SharedPort {
  /** The server's loopback door (openServerDoor in early-listener.ts). */
  serverPort: number;
  /** The headers the server sets on every dashboard response (CSP and framing). */
  headers: Record<string, string>;
  /** Path prefixes the server answers itself (the API, the widget's dev build): passed on to it. */
  serverPaths: string[];
}

export interface DevDashboardSettings {
  root: string;
  dataDir: string;
  appUrl: string;
  allowedHosts: string[];
}

/** The settings `startServer` derives from the environment, derived the same way. */
export function devDashboardSettings(env: Record<string, string | undefined>, root: string): DevDashboardSettings {
  const port = Number(env.PORT ?? 8787);
  return {
    root,
    dataDir: resolve(root, env.DATA_DIR ?? '.data'),
    appUrl: env.APP_URL ?? `http://localhost:${port}`,
    allowedHosts: (env.ALLOWED_HOSTS ?? '').split(',').map((s) => s.trim().toLowerCase()).filter(Boolean),
  };
}

/** Vite in middleware mode for the dashboard; `ws` names the HTTP server hot reload listens on. */
export function viteDevConfig(settings: DevDashboardSettings, ws: NonNullable<InlineConfig['server']>['ws']): InlineConfig {
  return {
    configFile: join(settings.root, 'web', 'vite.config.ts'),
    server: {
      middlewareMode: true,
      ws,
      // The config file denies .data and secrets by name; DATA_DIR may live anywhere.
      fs: { deny: [`${settings.dataDir}/**`] },
      // The server's own Host check runs first; Vite's must not refuse what it accepted.
      allowedHosts: [new URL(settings.appUrl).hostname, ...settings.allowedHosts.map((name) => name.replace(/:\d+$/, ''))],
    },
    appType: 'spa',
  };
}

/**
 * The sign-in page's own code (its route's component, split off by the router plugin): the first
 * page a browser asks for, but out of reach of Vite's warmup, which follows the entry's static
 * imports only. Transformed as soon as Vite is up (with what it imports), it is ready when the
 * browser asks.
 */
const FIRST_PAGE_SPLIT_MODULES = ['/src/routes/sign-in.tsx?tsr-split=component'];

function warmUpFirstPage(vite: ViteDevServer) {
  for (const url of FIRST_PAGE_SPLIT_MODULES) void vite.environments.client.warmupRequest(url);
}

/** Vite inside this process, hot reload on the server's own port. */
export async function startDevDashboardInProcess(settings: DevDashboardSettings, server: Server): Promise<DevDashboard> {
  const { createServer: createVite } = await import('vite');
  const vite = await createVite(viteDevConfig(settings, { server }));
  warmUpFirstPage(vite);
  return { handle: (req, res) => vite.middlewares(req, res), close: () => vite.close() };
}

interface ChildReady {
  port: number;
}

/**
 * Starts Vite in a child process at once and answers, when it listens, with the forwarding to
 * it. The child stops with this process (its IPC channel closes).
 */
export function startDevDashboardProcess(settings: DevDashboardSettings, execArgv: string[]): Promise<DevDashboard> {
  const child = fork(import.meta.filename, ['--child'], {
    execArgv,
    // Vite's notice about a future config loader is no step of the start a newcomer must read.
    env: { VITE_CONFIG_NATIVE_IGNORE_WARNING: 'true', ...process.env, VERSAAI_DEV_DASHBOARD: JSON.stringify(settings) },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return new Promise((done, fail) => {
    const exited = (code: number | null) => fail(new Error(`The dashboard's Vite process stopped before it was ready (exit code ${code})`));
    child.once('exit', exited);
    child.once('message', (message: ChildReady) => {
      child.off('exit', exited);
      done(forwardTo(child, message.port));
    });
  });
}

/** Passes a request on to a loopback port and its answer back; `who` names that port's process in a failure. */
function passOn(req: IncomingMessage, res: ServerResponse, target: RequestOptions, who: string) {
  const upstream = request({ ...target, host: '127.0.0.1', method: req.method, path: req.url }, (answer) => {
    // Headers set before (the dashboard's security headers) merge with the answer's.
    res.writeHead(answer.statusCode ?? 502, answer.headers);
    answer.pipe(res);
  });
  upstream.on('error', (error) => {
    if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain; charset=utf-8' });
    res.end(`${who} did not answer: ${error.message}`);
  });
  req.pipe(upstream);
}

interface ShareMessage {
  share: SharedPort;
}

/** Forwards requests and WebSocket upgrades to the child's loopback port. */
function forwardTo(child: ChildProcess, port: number): DevDashboard {
  // One kept-alive connection pool: the first page alone asks for ~130 modules.
  const agent = new Agent({ keepAlive: true });
  return {
    handle(req, res) {
      passOn(req, res, { port, headers: req.headers, agent }, "The dashboard's Vite process");
    },
    async share(sockets, sharing) {
      const sent = sockets.map(
        (socket) => new Promise<void>((done, fail) => child.send({ share: sharing } satisfies ShareMessage, socket, (error) => (error ? fail(error) : done()))),
      );
      await Promise.all(sent);
    },
    upgrade(req, socket, head) {
      const upstream = connect(port, '127.0.0.1', () => {
        const headerLines = [];
        for (let i = 0; i < req.rawHeaders.length; i += 2) headerLines.push(`${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}`);
        upstream.write(`${req.method} ${req.url} HTTP/${req.httpVersion}\r\n${headerLines.join('\r\n')}\r\n\r\n`);
        if (head.length > 0) upstream.write(head);
        socket.pipe(upstream).pipe(socket);
      });
      upstream.on('error', () => socket.destroy());
      socket.on('error', () => upstream.destroy());
    },
    async close() {
      agent.destroy();
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((done) => child.once('exit', done));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** Set once the server shares its port. */
let sharing: SharedPort | null = null;

/**
 * The child's answer to any request: the dashboard's from Vite with the server's headers, the
 * server's (the API, the widget) passed on to its loopback door with the client's address. The
 * requests the server itself forwards here are all the dashboard's.
 */
function sharedPortAnswerer(listener: EarlyListenerModule, vite: ViteDevServer) {
  const { startsWithAny, FORWARDED_CLIENT_HEADER } = listener;
  return (req: IncomingMessage, res: ServerResponse) => {
    if (sharing && startsWithAny(req.url, sharing.serverPaths)) {
      const headers = { ...req.headers, [FORWARDED_CLIENT_HEADER]: req.socket.remoteAddress ?? '' };
      return passOn(req, res, { port: sharing.serverPort, headers, agent: false }, 'The server');
    }
    for (const [name, value] of Object.entries(sharing?.headers ?? {})) res.setHeader(name, value);
    vite.middlewares(req, res);
  };
}

type EarlyListenerModule = typeof import('./early-listener');

/** The port's helpers, loaded by path: this file runs as plain Node (type stripping) without local imports. */
async function loadEarlyListener(settings: DevDashboardSettings): Promise<EarlyListenerModule> {
  return (await import(pathToFileURL(join(settings.root, 'functions/early-listener.ts')).href)) as EarlyListenerModule;
}

/** Takes connections from the public port's listening sockets the server sends (see DevDashboard.share). */
function acceptSharedPort(http: Server) {
  process.on('message', (message: Partial<ShareMessage>, socket?: TcpServer) => {
    if (!message.share || !socket) return;
    sharing = message.share;
    socket.on('connection', (connection: Socket) => {
      connection.setNoDelay(true);
      http.emit('connection', connection);
    });
  });
}

/** The child: Vite on a loopback port of its own, its port sent to the parent once listening. */
async function runChild() {
  const settings = JSON.parse(process.env.VERSAAI_DEV_DASHBOARD!) as DevDashboardSettings;
  const http = createServer();
  const listener = await loadEarlyListener(settings);
  // Once the public port is shared, its connections are accepted here: the same bound as the server's.
  listener.boundConnections(http, listener.defaultMaxConnections());
  // Hot reload listens here too; the browser connects to the page's own port, which forwards.
  const { createServer: createVite } = await import('vite');
  const vite = await createVite(viteDevConfig(settings, { server: http }));
  warmUpFirstPage(vite);
  http.on('request', sharedPortAnswerer(listener, vite));
  acceptSharedPort(http);
  await new Promise<void>((done) => http.listen(0, '127.0.0.1', done));
  const address = http.address();
  process.send!({ port: typeof address === 'object' && address ? address.port : 0 } satisfies ChildReady);
  // Vite's compiled code for the next start (NODE_COMPILE_CACHE, from scripts/dev.ts), even if this one is killed.
  flushCompileCache();
  const stop = async () => {
    await vite.close();
    process.exit(0);
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', () => {}); // Ctrl-C reaches the whole group: the parent decides when to stop us.
  process.once('disconnect', stop);
}

if (process.argv.includes('--child') && process.argv[1] && resolve(process.argv[1]) === import.meta.filename) {
  await runChild();
}
