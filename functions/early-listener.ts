// The server's port, opened before anything heavy loads.
//
// `npm run dev` listens first (scripts/dev.ts), before the server bundle is even parsed: the
// dashboard's page and code come from Vite in another process and need neither the bundle nor
// the database, so a browser opened early starts loading them at once instead of waiting for the
// whole server. Requests that arrive before the server takes the port over are held, in order.
//
// No local imports: plain Node (type stripping) loads this file from scripts/dev.ts.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { readFileSync } from 'node:fs';
import { createServer as createTcpServer, type AddressInfo, type ListenOptions, type Server as TcpServer, type Socket } from 'node:net';

export type NodeHandler = (req: IncomingMessage, res: ServerResponse) => unknown;

export interface EarlyServer {
  server: Server;
  /** The port's listening sockets (`server` and the extra acceptors): `npm run dev` shares them with Vite's process. */
  sockets: (Server | TcpServer)[];
  /** From now on `handler` answers; the requests held until now go to it first, in order. */
  takeOver(handler: NodeHandler): void;
  /**
   * Stops accepting connections here (another process accepts them on the shared sockets) and
   * sends the browser there: the pages held so far are asked for again, and every connection
   * already open closes after its answer.
   */
  handOver(): void;
}

/** Paths the server answers itself (the API); every other path is the dashboard's. */
export const API_PREFIXES = ['/api/', '/health'];

/** True when the URL's path is one of `prefixes` or under it (`/api/` also matches `/api`). */
export function startsWithAny(url: string | undefined, prefixes: string[]): boolean {
  const path = url ?? '/';
  return prefixes.some((prefix) => path === prefix.replace(/\/$/, '') || path.startsWith(prefix));
}

export function isApiPath(url: string | undefined): boolean {
  return startsWithAny(url, API_PREFIXES);
}

/**
 * The header carrying the client's address on requests the dashboard's Vite process passes on to
 * the server (it accepted the connection, so the server's socket is its loopback one). Believed
 * only on the server's loopback door (openServerDoor), never on the public port.
 */
export const FORWARDED_CLIENT_HEADER = 'x-versaai-dev-client';

/** Where the server listens, from the same variables `startServer` reads. */
export function listenAddress(env: Record<string, string | undefined>): { port: number; host: string; appUrl: string } {
  const port = Number(env.PORT ?? 8787);
  return { port, host: env.HOST ?? '127.0.0.1', appUrl: env.APP_URL ?? `http://localhost:${port}` };
}

/**
 * Listening sockets that share the port. Node accepts at most one connection per listening
 * socket per event-loop turn, and under load a turn of the local runtime could last as long as one
 * database statement (when PGlite ran on this thread; it has a worker thread of its own now, or
 * stays here with LOCAL_DATABASE_THREAD=caller): with 200 widget visitors new connections,
 * refusals among them, waited seconds in the kernel's accept queue although the server answered
 * each within milliseconds of accepting it. With several sockets on the port (SO_REUSEPORT) the
 * kernel spreads new connections over them and one turn accepts up to that many. Linux only: other
 * systems do not spread connections over such sockets.
 */
export const ACCEPTORS = process.platform === 'linux' ? 8 : 1;

function listen(server: Server | TcpServer, options: ListenOptions): Promise<void> {
  return new Promise<void>((done, fail) => {
    server.once('error', fail).listen(options, () => {
      server.off('error', fail);
      done();
    });
  });
}

/**
 * Listens on `port` with `acceptors` sockets; the extra ones hand their connections to `server`
 * (an http.Server serves any socket emitted as 'connection') and close when it closes.
 */
export async function listenShared(server: Server, port: number, host: string, acceptors = ACCEPTORS): Promise<TcpServer[]> {
  if (acceptors <= 1) return listen(server, { port, host }).then(() => []);
  // Another process of the same user could join a shared port; a plain bind first still fails
  // while anyone holds it, so a second server gets EADDRINUSE as before.
  if (port !== 0) {
    const probe = createTcpServer();
    await listen(probe, { port, host });
    await new Promise((done) => probe.close(done));
  }
  await listen(server, { port, host, reusePort: true });
  const bound = (server.address() as AddressInfo).port;
  const extras: TcpServer[] = [];
  for (let i = 1; i < acceptors; i++) {
    // The options http.Server gives its own socket (an HTTP client may half-close after its request).
    const extra = createTcpServer({ allowHalfOpen: true, noDelay: true }, (socket) => server.emit('connection', socket));
    await listen(extra, { port: bound, host, reusePort: true });
    extras.push(extra);
  }
  // 'close' comes only once every connection has ended; the port must stop accepting at once.
  const close = server.close.bind(server);
  server.close = (callback?: (error?: Error) => void) => {
    for (const extra of extras) extra.close();
    return close(callback);
  };
  return extras;
}

/**
 * How many connections the server keeps open at most: half the process's file-descriptor limit
 * (Linux tells it in /proc; 1,024 elsewhere), so a flood of connections can never take the
 * descriptors the database's files, the job workers and the logs need.
 */
export function defaultMaxConnections(limits = readOpenFileLimit()): number {
  return Math.max(64, Math.floor(limits / 2));
}

function readOpenFileLimit(): number {
  try {
    const line = readFileSync('/proc/self/limits', 'utf8').split('\n').find((l) => l.startsWith('Max open files'));
    const soft = Number(line?.split(/\s{2,}/)[1]);
    return Number.isFinite(soft) && soft > 0 ? soft : 1024;
  } catch {
    return 1024;
  }
}

/**
 * Keeps at most `max` connections open. Past it, each new connection closes the oldest one that
 * is not serving a request (idle, or still sending its headers: a slow or half-open client), and
 * is itself closed only when every connection is busy. So idle and half-open sockets cannot fill
 * the descriptor table or lock out a newcomer: a /health probe's connection is the newest, sends
 * its request at once, and is out of reach of eviction from then on. Node closes the rest in
 * its own time (headersTimeout, keepAliveTimeout).
 */
export function boundConnections(server: Server, max: number) {
  // Insertion order is age: the first entry is the oldest connection not serving a request.
  const waiting = new Set<Socket>();
  // Requests can also arrive from elsewhere (the dev server's loopback door emits them here):
  // only this server's own connections are counted and evicted.
  const counted = new WeakSet<Socket>();
  let open = 0;
  const wait = (socket: Socket) => {
    if (socket.destroyed) return;
    waiting.delete(socket);
    waiting.add(socket);
  };
  server.on('connection', (socket: Socket) => {
    open++;
    counted.add(socket);
    socket.once('close', () => {
      open--;
      waiting.delete(socket);
    });
    wait(socket);
    if (open <= max) return;
    const oldest = waiting.values().next().value;
    if (oldest && oldest !== socket) {
      waiting.delete(oldest);
      oldest.destroy();
    } else {
      waiting.delete(socket);
      socket.destroy();
    }
  });
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const socket = req.socket;
    if (!counted.has(socket)) return;
    waiting.delete(socket);
    // Kept alive after its answer, the connection waits for the next request again.
    res.once('close', () => wait(socket));
  });
  // A WebSocket (the dev dashboard's hot reload) lives on; the upgrade's handler owns it.
  server.on('upgrade', (req: IncomingMessage) => waiting.delete(req.socket));
}

/** Listens on `port` now and holds every request until `takeOver` names who answers. */
export async function listenEarly(port: number, host: string, options: { maxConnections?: number } = {}): Promise<EarlyServer> {
  const held: [IncomingMessage, ServerResponse][] = [];
  let handler: NodeHandler | null = null;
  const server = createServer((req, res) => (handler ? handler(req, res) : held.push([req, res])));
  boundConnections(server, options.maxConnections ?? defaultMaxConnections());
  const extras = await listenShared(server, port, host);
  return {
    server,
    sockets: [server, ...extras],
    takeOver(next) {
      handler = next;
      for (const [req, res] of held.splice(0)) next(req, res);
    },
    handOver() {
      server.close();
      // Before the handler, which may answer at once: no connection here is used again.
      server.prependListener('request', (_req, res) => res.setHeader('connection', 'close'));
      server.closeIdleConnections();
      const pages = held.filter(([req]) => isPageRequest(req));
      held.splice(0, held.length, ...held.filter((entry) => !pages.includes(entry)));
      for (const [, res] of held) res.setHeader('connection', 'close');
      for (const [req, res] of pages) res.writeHead(307, { location: req.url ?? '/', connection: 'close', 'cache-control': 'no-store' }).end();
    },
  };
}

/** A browser asking for a page of the dashboard (asking again costs nothing). */
function isPageRequest(req: IncomingMessage): boolean {
  return (req.method === 'GET' || req.method === 'HEAD') && !isApiPath(req.url) && (req.headers.accept ?? '').includes('text/html');
}

/**
 * A loopback port answering exactly as the public port does (the same held requests, then the
 * same handler). Under `npm run dev` Vite's process accepts connections on the public port too
 * (so the dashboard's code does not wait while this process loads the server or opens the
 * database) and passes the requests that are not the dashboard's here, with the client's address.
 */
export async function openServerDoor(early: EarlyServer): Promise<{ port: number; close(): Promise<void> }> {
  const door = createServer((req, res) => {
    const client = req.headers[FORWARDED_CLIENT_HEADER];
    delete req.headers[FORWARDED_CLIENT_HEADER];
    // One request per connection (the Vite process opens a new one each time), so the address
    // set on this socket belongs to this request only.
    if (typeof client === 'string') Object.defineProperty(req.socket, 'remoteAddress', { value: client, configurable: true });
    early.server.emit('request', req, res);
  });
  await listen(door, { port: 0, host: '127.0.0.1' });
  return {
    port: (door.address() as AddressInfo).port,
    close: () => new Promise<void>((done) => door.close(() => done())),
  };
}
