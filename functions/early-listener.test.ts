import { fork } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ACCEPTORS, defaultMaxConnections, FORWARDED_CLIENT_HEADER, listenAddress, listenEarly, openServerDoor, type EarlyServer } from './early-listener';

const portOf = (early: EarlyServer) => (early.server.address() as AddressInfo).port;

/** A request on a new connection, the status it got (or the connection's error code). */
function call(port: number): Promise<number | string> {
  return new Promise((done) => {
    const req = request({ host: '127.0.0.1', port, path: '/', agent: false }, (res) => {
      res.resume();
      res.on('end', () => done(res.statusCode ?? 0));
    });
    req.on('error', (error: NodeJS.ErrnoException) => done(error.code ?? String(error)));
    req.end();
  });
}

async function stop(early: EarlyServer) {
  early.server.closeAllConnections();
  await new Promise((done) => early.server.close(done));
}

describe('listenEarly: the port opens before the server has loaded', () => {
  it('holds the requests that come before the take-over and hands them all over', async () => {
    const early = await listenEarly(0, '127.0.0.1');
    const base = `http://127.0.0.1:${portOf(early)}`;
    // Counted as the server sees them: a connection may come through any of the port's sockets.
    let connections = 0;
    early.server.on('connection', () => connections++);
    try {
      const first = fetch(`${base}/first`);
      const second = fetch(`${base}/second`);
      // Both requests have reached the server (held) before anyone answers.
      await expect.poll(() => connections).toBe(2);
      const seen: string[] = [];
      early.takeOver((req, res) => {
        seen.push(req.url ?? '');
        res.end(`answered ${req.url}`);
      });
      expect(await (await first).text()).toBe('answered /first');
      expect(await (await second).text()).toBe('answered /second');
      expect(await (await fetch(`${base}/later`)).text()).toBe('answered /later');
      expect(seen.slice(0, 2).sort()).toEqual(['/first', '/second']);
    } finally {
      await stop(early);
    }
  });

  it.runIf(ACCEPTORS > 1)('accepts through several sockets on the port and serves every connection', async () => {
    const early = await listenEarly(0, '127.0.0.1');
    early.takeOver((_req, res) => res.end('ok'));
    let connections = 0;
    early.server.on('connection', () => connections++);
    try {
      const statuses = await Promise.all(Array.from({ length: 32 }, () => call(portOf(early))));
      expect(statuses).toEqual(Array(32).fill(200));
      expect(connections).toBe(32);
      // The server's own socket accepted only its share; the kernel spread the rest.
      const ownAccepts = await new Promise<number>((done, fail) => early.server.getConnections((error, count) => (error ? fail(error) : done(count))));
      expect(ownAccepts).toBeLessThan(32);
    } finally {
      await stop(early);
    }
  });

  it('refuses a second server on a port that is taken, and frees the port on close', async () => {
    const early = await listenEarly(0, '127.0.0.1');
    const port = portOf(early);
    early.takeOver((_req, res) => res.end('ok'));
    await expect(listenEarly(port, '127.0.0.1')).rejects.toMatchObject({ code: 'EADDRINUSE' });
    expect(await call(port)).toBe(200);
    await stop(early);
    // No socket of the port accepts any more: every new connection is refused.
    const after = await Promise.all(Array.from({ length: 16 }, () => call(port)));
    expect(after).toEqual(Array(16).fill('ECONNREFUSED'));
    const again = await listenEarly(port, '127.0.0.1');
    await stop(again);
  });

  describe('a flood of connections', () => {
    /** `count` connections that send nothing, or (`halfOpen`) only the start of a request, and never finish. */
    function flood(port: number, count: number, halfOpen = false) {
      const sockets: Socket[] = [];
      let closed = 0;
      for (let i = 0; i < count; i++) {
        const socket = connect(port, '127.0.0.1', () => {
          if (halfOpen) socket.write('GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ');
        });
        socket.on('error', () => {});
        socket.on('close', () => closed++);
        sockets.push(socket);
      }
      return { closed: () => closed, end: () => sockets.forEach((s) => s.destroy()) };
    }

    it('keeps at most its limit of idle and half-open connections and still answers a newcomer', async () => {
      const early = await listenEarly(0, '127.0.0.1', { maxConnections: 40 });
      early.takeOver((_req, res) => res.end('ok'));
      let connections = 0;
      early.server.on('connection', () => connections++);
      const idle = flood(portOf(early), 100);
      const halfOpen = flood(portOf(early), 50, true);
      try {
        await expect.poll(() => connections, { timeout: 20_000 }).toBe(150);
        // The server closed the oldest: 110 of the 150 are gone, its limit of 40 stays open.
        await expect.poll(() => idle.closed() + halfOpen.closed(), { timeout: 20_000 }).toBe(110);
        expect(await call(portOf(early))).toBe(200);
      } finally {
        idle.end();
        halfOpen.end();
        await stop(early);
      }
    });

    it('never closes a connection that is serving a request', async () => {
      const early = await listenEarly(0, '127.0.0.1', { maxConnections: 10 });
      let release: () => void = () => {};
      const released = new Promise<void>((done) => (release = done));
      let serving = false;
      early.takeOver((req, res) => {
        if (req.url !== '/slow') return res.end('ok');
        serving = true;
        void released.then(() => res.end('slow'));
      });
      const slow = fetch(`http://127.0.0.1:${portOf(early)}/slow`);
      // The request reaches the handler before the flood.
      await expect.poll(() => serving).toBe(true);
      const idle = flood(portOf(early), 60);
      try {
        await expect.poll(() => idle.closed(), { timeout: 20_000 }).toBe(51);
        release();
        expect(await (await slow).text()).toBe('slow');
      } finally {
        idle.end();
        await stop(early);
      }
    });

    it('leaves half the descriptor limit to the rest of the process', () => {
      expect(defaultMaxConnections(20_000)).toBe(10_000);
      expect(defaultMaxConnections(1024)).toBe(512);
      expect(defaultMaxConnections(10)).toBe(64);
    });
  });

  it('reads the address from the variables startServer reads', () => {
    expect(listenAddress({})).toEqual({ port: 8787, host: '127.0.0.1', appUrl: 'http://localhost:8787' });
    expect(listenAddress({ PORT: '4100', HOST: '0.0.0.0', APP_URL: 'https://bot.example' })).toEqual({ port: 4100, host: '0.0.0.0', appUrl: 'https://bot.example' });
  });

  it('hands the port over to a process it shares the sockets with: held pages are asked again, the API stays held', async () => {
    // Stands for Vite's process under `npm run dev`: answers every connection it accepts.
    const dir = mkdtempSync(join(tmpdir(), 'versaai-handover-'));
    const script = join(dir, 'acceptor.mjs');
    writeFileSync(
      script,
      "import { createServer } from 'node:http';\n" +
        "const http = createServer((req, res) => res.end('from the other process'));\n" +
        "process.on('message', (message, socket) => { socket.on('connection', (c) => http.emit('connection', c)); process.send('ok'); });\n",
    );
    const other = fork(script, [], { stdio: 'ignore' });
    const early = await listenEarly(0, '127.0.0.1');
    const base = `http://127.0.0.1:${portOf(early)}`;
    let connections = 0;
    early.server.on('connection', () => connections++);
    try {
      const page = fetch(`${base}/inbox`, { headers: { accept: 'text/html' } });
      const api = fetch(`${base}/api/v1/me`);
      await expect.poll(() => connections).toBe(2);
      let acks = 0;
      other.on('message', () => acks++);
      for (const socket of early.sockets) other.send('share', socket);
      await expect.poll(() => acks).toBe(early.sockets.length);
      early.handOver();
      // The held page is asked again (a redirect to itself) on a new connection: the other process's.
      expect(await (await page).text()).toBe('from the other process');
      const statuses = await Promise.all(Array.from({ length: 8 }, () => fetch(`${base}/x`).then((res) => res.text())));
      expect(statuses).toEqual(Array(8).fill('from the other process'));
      // The API request stays with this server, answered once it takes over, on a connection it closes.
      early.takeOver((_req, res) => res.end('from the server'));
      const answer = await api;
      expect(await answer.text()).toBe('from the server');
      expect(answer.headers.get('connection')).toBe('close');
    } finally {
      other.kill();
      await stop(early);
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('answers on its loopback door as on the port, with the client address the other process saw', async () => {
    const early = await listenEarly(0, '127.0.0.1');
    const door = await openServerDoor(early);
    early.takeOver((req, res) => res.end(`${req.url} from ${req.socket.remoteAddress} ${req.headers[FORWARDED_CLIENT_HEADER] ?? 'no header'}`));
    try {
      const answer = await fetch(`http://127.0.0.1:${door.port}/api/v1/me`, { headers: { [FORWARDED_CLIENT_HEADER]: '192.0.2.7' } });
      expect(await answer.text()).toBe('/api/v1/me from 192.0.2.7 no header');
      // On the public port the header means nothing.
      const direct = await fetch(`http://127.0.0.1:${portOf(early)}/api/v1/me`, { headers: { [FORWARDED_CLIENT_HEADER]: '192.0.2.7' } });
      expect(await direct.text()).toBe('/api/v1/me from 127.0.0.1 192.0.2.7');
    } finally {
      await door.close();
      await stop(early);
    }
  });
});
