// The server's port, opened before anything heavy loads.
//
// `npm run dev` listens first (scripts/dev.ts), before the server bundle is even parsed: the
// dashboard's page and code come from Vite in another process and need neither the bundle nor
// the database, so a browser opened early starts loading them at once instead of waiting for the
// whole server. Requests that arrive before the server takes the port over are held, in order.
//
// No local imports: plain Node (type stripping) loads this file from scripts/dev.ts.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

export type NodeHandler = (req: IncomingMessage, res: ServerResponse) => unknown;

export interface EarlyServer {
  server: Server;
  /** From now on `handler` answers; the requests held until now go to it first, in order. */
  takeOver(handler: NodeHandler): void;
}

/** Where the server listens, from the same variables `startServer` reads. */
export function listenAddress(env: Record<string, string | undefined>): { port: number; host: string; appUrl: string } {
  const port = Number(env.PORT ?? 8787);
  return { port, host: env.HOST ?? '127.0.0.1', appUrl: env.APP_URL ?? `http://localhost:${port}` };
}

/** Listens on `port` now and holds every request until `takeOver` names who answers. */
export async function listenEarly(port: number, host: string): Promise<EarlyServer> {
  const held: [IncomingMessage, ServerResponse][] = [];
  let handler: NodeHandler | null = null;
  const server = createServer((req, res) => (handler ? handler(req, res) : held.push([req, res])));
  await new Promise<void>((done, fail) => server.once('error', fail).listen(port, host, () => done()));
  return {
    server,
    takeOver(next) {
      handler = next;
      for (const [req, res] of held.splice(0)) next(req, res);
    },
  };
}
