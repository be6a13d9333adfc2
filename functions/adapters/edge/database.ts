import { Client, Pool } from '@neondatabase/serverless';
import { drizzle } from 'drizzle-orm/neon-serverless';
import * as schema from '../../../db/schema';
import type { Database } from '../../ports';

export interface NeonDatabaseOptions {
  /**
   * `host:port/path` of a WebSocket-to-TCP proxy in front of a plain Postgres (`npm run dev:edge`
   * and the edge test suite), e.g. `127.0.0.1:5488/v1`. Unset in production, where Neon's own
   * endpoint speaks WebSocket over TLS.
   */
  wsProxy?: string;
}

export interface NeonDatabase {
  db: Database;
  /** Ends the pool's connections; call it after the response, through waitUntil. Idempotent. */
  close(): Promise<void>;
}

/**
 * A Neon `Pool` over WebSocket, opened for one request. A pool rather than the HTTP driver because
 * handlers use interactive transactions; one per request because a Worker may not reuse I/O
 * objects (sockets) across requests.
 */
export function openNeonDatabase(url: string, options: NeonDatabaseOptions = {}): NeonDatabase {
  const pool = new Pool({ connectionString: url });
  // Neon's Pool sets its `Client` class as an instance field (so a `Client` pool option is
  // ignored); clients are created lazily on first query, so replacing it here is enough.
  if (options.wsProxy) pool.Client = proxiedClient(options.wsProxy);
  const db = drizzle({ client: pool, schema }) as unknown as Database;
  let closed: Promise<void> | undefined;
  return {
    db,
    close: () => (closed ??= pool.end().catch(() => undefined)),
  };
}

/**
 * A Neon client that reaches a plain Postgres through a local WebSocket-to-TCP proxy, as Neon
 * documents for local development. The settings go on each client's own config rather than the
 * global `neonConfig`, so no module-level state changes. The proxy is plain ws:// on loopback and
 * the Postgres behind it speaks plain TCP (no TLS), hence TLS pipelining is off; the password is
 * not pipelined either, so whichever method its pg_hba asks for (password, as the edge suite's,
 * or SCRAM) works.
 */
function proxiedClient(wsProxy: string): typeof Client {
  const base = wsProxy.replace(/^wss?:\/\//, '').replace(/\/$/, '');
  return class ProxiedClient extends Client {
    constructor(config?: ConstructorParameters<typeof Client>[0]) {
      super(config);
      const neon = this.neonConfig;
      neon.wsProxy = (host: string, port: number | string) => `${base}?address=${host}:${port}`;
      neon.useSecureWebSocket = false;
      neon.pipelineTLS = false;
      neon.pipelineConnect = false;
    }
  };
}
