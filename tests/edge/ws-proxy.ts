import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { connect } from 'node:net';
import { WebSocketServer } from 'ws';

export interface WsProxy {
  port: number;
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
    close: () =>
      new Promise<void>((resolve) => {
        for (const client of wss.clients) client.terminate();
        wss.close();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
