import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { connect } from 'node:net';
import { WebSocketServer } from 'ws';

export interface WsProxy {
  port: number;
  /** SQL statements clients sent so far (simple queries and extended-protocol executes). */
  statements(): number;
  close(): Promise<void>;
}

/**
 * The WebSocket-to-TCP proxy Neon's driver expects in front of a plain Postgres: each WebSocket
 * connection carries the raw Postgres wire protocol for the `address` query parameter
 * (`host:port`), piped both ways. Only loopback targets in `allowedPorts` are accepted, so it is
 * not an open relay even on 127.0.0.1.
 */
export async function startWsProxy(options: { allowedPorts: number[]; host?: string }): Promise<WsProxy> {
  const host = options.host ?? '127.0.0.1';
  const server: Server = createServer((_req, res) => {
    res.writeHead(426, { 'Content-Type': 'text/plain' }).end('WebSocket upgrade required');
  });
  const wss = new WebSocketServer({ server });
  let statements = 0;

  wss.on('connection', (ws, req) => {
    const address = new URL(req.url ?? '/', 'http://proxy').searchParams.get('address') ?? '';
    const match = /^(127\.0\.0\.1|localhost):(\d+)$/.exec(address);
    const port = match ? Number(match[2]) : NaN;
    if (!match || !options.allowedPorts.includes(port)) {
      ws.close(1008, `address not allowed: ${address}`);
      return;
    }
    const socket = connect({ host: '127.0.0.1', port });
    const pending: Buffer[] = [];
    let connected = false;
    // Counts statements by reading the frontend messages' framing: [type][int32 length], after
    // the untyped startup message.
    let started = false;
    let unread = Buffer.alloc(0);
    const countStatements = (chunk: Buffer) => {
      unread = Buffer.concat([unread, chunk]);
      for (;;) {
        const header = started ? 5 : 4;
        if (unread.length < header) return;
        const length = unread.readInt32BE(started ? 1 : 0);
        const total = started ? 1 + length : length;
        if (unread.length < total) return;
        const type = started ? String.fromCharCode(unread[0]!) : '';
        if (type === 'Q' || type === 'E') statements += 1;
        // An SSLRequest (80877103) is answered and followed by the real startup message.
        if (!started && !(length === 8 && unread.readInt32BE(4) === 80877103)) started = true;
        unread = unread.subarray(total);
      }
    };

    socket.on('connect', () => {
      connected = true;
      for (const chunk of pending.splice(0)) socket.write(chunk);
    });
    socket.on('data', (data) => {
      if (ws.readyState === ws.OPEN) ws.send(data);
    });
    socket.on('close', () => ws.close());
    socket.on('error', () => ws.close(1011, 'upstream error'));

    ws.on('message', (data) => {
      const chunk = Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(data);
      countStatements(chunk);
      if (connected) socket.write(chunk);
      else pending.push(chunk);
    });
    ws.on('close', () => socket.end());
    ws.on('error', () => socket.destroy());
  });

  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    statements: () => statements,
    close: () =>
      new Promise<void>((resolve) => {
        for (const client of wss.clients) client.terminate();
        wss.close();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
