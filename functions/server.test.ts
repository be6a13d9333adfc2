import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { TrustProxy } from './lib/config';
import { dashboardHeadersFile } from './lib/security-headers';
import { clientAddress, createHttpServer, hostAllowed, LINGER, serveStatic, startServer } from './server';
import { createTestApi, type TestApi } from './testing/harness';

const repoRoot = resolve(import.meta.dirname, '..');

interface RawResponse {
  status: number;
  headers: string;
  body: string;
}

/** One request written byte for byte, so nothing normalizes the hostile parts before the server sees them. */
function rawRequest(port: number, target: string, headers: Record<string, string> = { host: `127.0.0.1:${port}` }): Promise<RawResponse> {
  return new Promise((done, fail) => {
    const socket = connect(port, '127.0.0.1');
    let data = '';
    socket.on('data', (chunk) => (data += chunk.toString('latin1')));
    socket.on('error', fail);
    socket.on('close', () => {
      const [head, ...rest] = data.split('\r\n\r\n');
      done({ status: Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1] ?? 0), headers: head.toLowerCase(), body: rest.join('\r\n\r\n') });
    });
    const lines = Object.entries({ ...headers, connection: 'close' }).map(([name, value]) => `${name}: ${value}`);
    // Written without half-closing: `Connection: close` makes the server end the exchange, as a
    // browser's would; a client that half-closes first may get no answer once the app defers work.
    socket.write(`GET ${target} HTTP/1.1\r\n${lines.join('\r\n')}\r\n\r\n`, 'latin1');
  });
}

describe('the Node server under hostile requests (built mode)', () => {
  let port: number;
  let close: () => Promise<void>;
  let dataDir: string;
  const errors = vi.spyOn(console, 'error');

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'versaai-hostile-'));
    const started = await startServer({ env: { PORT: '4613', HOST: '127.0.0.1', DATA_DIR: dataDir, APP_URL: 'http://127.0.0.1:4613' } });
    port = (started.server.address() as AddressInfo).port;
    close = started.close;
  }, 60_000);
  afterAll(async () => {
    await close?.();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const hostile = [
    '/%E0%A4%A',
    '/%',
    '/%zz/index.html',
    '/a%00b',
    '/%00',
    '//',
    '/../../package.json',
    '/..%2f..%2fpackage.json',
    '/%2e%2e/%2e%2e/package.json',
    '/%2e%2e%2f%2e%2e%2fpackage.json',
    '/..%5c..%5cpackage.json',
    '/%252e%252e/%252e%252e/package.json',
    `/..%2f..%2f${encodeURIComponent(resolve(repoRoot, 'package.json'))}`,
    '/api/v1/%E0%A4%A',
    'http://evil.example/%E0%A4%A',
    'http://evil.example/../../package.json',
    `/${'a'.repeat(20_000)}`,
    `/${'%2e%2e/'.repeat(2_000)}package.json`,
  ];

  it.each(hostile)('answers %s without serving files outside the web root or dying', async (target) => {
    const res = await rawRequest(port, target);
    expect(res.status, res.headers).toBeGreaterThanOrEqual(200);
    expect(res.status).not.toBe(500);
    expect(res.body).not.toContain('"name": "versaai"');
    const health = await rawRequest(port, '/health');
    expect(health.status, health.body).toBe(200);
  });

  it('refuses a malformed escape with 400 in the error shape', async () => {
    const res = await rawRequest(port, '/%E0%A4%A');
    expect(res.status).toBe(400);
    expect(JSON.parse(res.body).error.code).toBe('bad_request');
  });

  it.each(['close', 'keep-alive'])(
    'answers 413 to a busy client that reads only after sending its oversized body (Connection: %s)',
    async (connection) => {
      // The server answers on the declared length before the body arrives. Closing the socket
      // while the client still sends makes the kernel reset it and the unread 413 is lost.
      const answer = await new Promise<string>((done, fail) => {
        const socket = connect(port, '127.0.0.1');
        let data = '';
        socket.on('data', (chunk) => (data += chunk.toString('latin1')));
        socket.on('error', fail);
        socket.on('close', () => done(data));
        const head = [`POST /api/v1/auth/login HTTP/1.1`, `host: 127.0.0.1:${port}`, 'content-type: application/json', `content-length: ${4 * 1024 * 1024}`, `connection: ${connection}`];
        socket.write(`${head.join('\r\n')}\r\n\r\n`);
        socket.pause();
        const piece = Buffer.alloc(256 * 1024, 'x');
        let sent = 0;
        const writeNext = () => {
          if (sent === 16) return socket.resume().end();
          sent++;
          socket.write(piece);
          setTimeout(writeNext, 100);
        };
        writeNext();
      });
      expect(answer).toMatch(/^HTTP\/1\.1 413/);
      expect(JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4)).error.code).toBe('payload_too_large');
    },
  );

  it('cuts off a client that keeps sending after its 413, once the lingering bound is reached', async () => {
    const bound = LINGER.bytes;
    LINGER.bytes = 512 * 1024;
    try {
      const outcome = await new Promise<{ answer: string; sent: number }>((done) => {
        const socket = connect(port, '127.0.0.1');
        let answer = '';
        let sent = 0;
        socket.on('data', (chunk) => (answer += chunk.toString('latin1')));
        socket.on('error', () => {});
        socket.on('close', () => done({ answer, sent }));
        socket.write(`POST /api/v1/auth/login HTTP/1.1\r\nhost: 127.0.0.1:${port}\r\ncontent-type: application/json\r\ncontent-length: ${1024 ** 3}\r\n\r\n`);
        const piece = Buffer.alloc(64 * 1024, 'x');
        const writeMore = () => {
          if (socket.destroyed || sent >= 64 * 1024 * 1024) return;
          sent += piece.length;
          if (socket.write(piece)) setImmediate(writeMore);
          else socket.once('drain', writeMore);
        };
        writeMore();
      });
      expect(outcome.answer).toMatch(/^HTTP\/1\.1 413/);
      expect(outcome.sent).toBeLessThan(64 * 1024 * 1024);
    } finally {
      LINGER.bytes = bound;
    }
  });

  it('logs nothing for requests it refuses on purpose', () => {
    expect(errors.mock.calls.filter(([line]) => String(line).includes('http handler failed'))).toEqual([]);
  });
});

describe('handler failures', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await createTestApi();
  });
  afterAll(() => api.close());

  it('a frontend that throws or rejects answers 500, is logged once, and the server keeps serving', async () => {
    const errors = vi.spyOn(console, 'error').mockImplementation(() => {});
    let calls = 0;
    const server = createHttpServer(api.runtime, () => {
      calls += 1;
      if (calls === 1) throw new Error('static handler blew up');
      return Promise.reject(new Error('dev middleware rejected'));
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    const { port } = server.address() as AddressInfo;
    try {
      for (const message of ['static handler blew up', 'dev middleware rejected']) {
        const res = await rawRequest(port, '/some/page');
        expect(res.status, res.body).toBe(500);
        expect(JSON.parse(res.body).error.code).toBe('internal_error');
        const logged = errors.mock.calls.map(([line]) => String(line)).filter((line) => line.includes(message));
        expect(logged).toHaveLength(1);
      }
      const health = await rawRequest(port, '/health');
      expect(health.status).toBe(200);
    } finally {
      errors.mockRestore();
      await new Promise((done) => server.close(done));
    }
  });

  it('an API listener that throws answers 500 and the next request is served', async () => {
    const errors = vi.spyOn(console, 'error').mockImplementation(() => {});
    const app = api.runtime.app;
    const original = app.fetch;
    app.fetch = () => {
      throw new Error('api listener blew up');
    };
    try {
      const res = await fetch(`${api.baseUrl}/api/v1/auth/me`);
      expect(res.status).toBe(500);
    } finally {
      app.fetch = original;
      errors.mockRestore();
    }
    const health = await fetch(`${api.baseUrl}/health`);
    expect(health.status).toBe(200);
  });
});

describe('Host header (DNS rebinding)', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await createTestApi({ env: { APP_URL: 'https://app.example.com', ALLOWED_HOSTS: 'intranet.corp, dev.corp:8443' } });
  });
  afterAll(() => api.close());

  it('refuses a foreign host name on the API with 421 in the error shape', async () => {
    const port = Number(new URL(api.baseUrl).port);
    const res = await rawRequest(port, '/api/v1/dev/outbox', { host: `rebound.attacker.example:${port}` });
    expect(res.status, res.body).toBe(421);
    expect(JSON.parse(res.body).error.code).toBe('misdirected_request');
    const page = await rawRequest(port, '/', { host: 'rebound.attacker.example' });
    expect(page.status).toBe(421);
  });

  it.each([
    ['localhost:1234', true],
    ['127.0.0.1', true],
    ['[::1]:8787', true],
    ['10.0.0.7:8787', true],
    ['app.example.com', true],
    ['APP.example.com', true],
    ['app.example.com:8443', false],
    ['intranet.corp', true],
    ['intranet.corp:9000', true],
    ['dev.corp:8443', true],
    ['dev.corp', false],
    ['rebound.attacker.example', false],
    ['localhost.attacker.example', false],
    ['evil.example@localhost', false],
    ['localhost/evil', false],
  ])('Host %s allowed: %s', (host, allowed) => {
    expect(hostAllowed(host, api.runtime.config)).toBe(allowed);
  });

  it('answers the loopback host the tests use', async () => {
    expect((await api.call('GET', '/health')).status).toBe(200);
  });
});

describe('client address', () => {
  const none: TrustProxy = { kind: 'none' };
  const loopback: TrustProxy = { kind: 'ranges', ranges: ['127.0.0.0/8', '::1/128'] };

  it('is the socket address unless proxies are trusted', () => {
    expect(clientAddress('::ffff:127.0.0.1', '1.2.3.4', none)).toBe('127.0.0.1');
    expect(clientAddress('203.0.113.9', '1.2.3.4', loopback)).toBe('203.0.113.9');
  });

  it('reads X-Forwarded-For right to left past trusted proxies only', () => {
    // The client wrote 6.6.6.6 itself; our nginx on loopback appended the real peer 198.51.100.7.
    expect(clientAddress('127.0.0.1', '6.6.6.6, 198.51.100.7', loopback)).toBe('198.51.100.7');
    expect(clientAddress('127.0.0.1', ['6.6.6.6', '127.0.0.2'], loopback)).toBe('6.6.6.6');
    expect(clientAddress('127.0.0.1', 'not-an-ip, 127.0.0.5', loopback)).toBe('127.0.0.5');
    expect(clientAddress('127.0.0.1', undefined, loopback)).toBe('127.0.0.1');
  });

  it('counts hops when TRUST_PROXY is a number', () => {
    expect(clientAddress('10.0.0.2', '6.6.6.6, 198.51.100.7', { kind: 'hops', hops: 1 })).toBe('198.51.100.7');
    expect(clientAddress('10.0.0.2', '6.6.6.6, 198.51.100.7, 10.0.0.1', { kind: 'hops', hops: 2 })).toBe('198.51.100.7');
    expect(clientAddress('10.0.0.2', '198.51.100.7', { kind: 'hops', hops: 5 })).toBe('198.51.100.7');
  });
});

describe('dashboard security headers', () => {
  let root: string;
  let api: TestApi;
  let base: string;
  let server: ReturnType<typeof createHttpServer>;
  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'versaai-web-'));
    mkdirSync(join(root, 'assets'));
    writeFileSync(join(root, 'index.html'), '<!doctype html><title>VersaAI</title>');
    writeFileSync(join(root, 'assets', 'app-abc.js'), 'console.log(1)');
    writeFileSync(join(root, 'widget.js'), '(function(){})()');
    api = await createTestApi();
    server = createHttpServer(api.runtime, (req, res) => serveStatic(root, req, res));
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((done) => server.close(done));
    await api.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('sends a strict CSP, no framing, and a referrer policy with every page', async () => {
    for (const path of ['/', '/conversations/123', '/reset-password?token=abc']) {
      const res = await fetch(`${base}${path}`);
      expect(res.status).toBe(200);
      const csp = res.headers.get('content-security-policy') ?? '';
      expect(csp).toContain("script-src 'self';");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).toContain("object-src 'none'");
      expect(csp).toContain("base-uri 'self'");
      expect(csp).not.toContain('unsafe-eval');
      expect(res.headers.get('x-frame-options')).toBe('DENY');
      expect(res.headers.get('referrer-policy')).toBe('same-origin');
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    }
  });

  it('keeps widget.js loadable from any site', async () => {
    const res = await fetch(`${base}/widget.js`);
    expect(res.status).toBe(200);
    expect(res.headers.get('cross-origin-resource-policy')).toBeNull();
    expect(res.headers.get('content-type')).toMatch(/javascript/);
  });

  it('writes the same headers for Workers static assets', () => {
    const file = dashboardHeadersFile();
    expect(file).toMatch(/^\/\*$/m);
    expect(file).toContain("Content-Security-Policy: default-src 'self'; script-src 'self';");
    expect(file).toContain('X-Frame-Options: DENY');
  });

  it('gives the API reference a nonce-based policy and JSON a no-content policy', async () => {
    const docs = await fetch(`${base}/api/docs`);
    const html = await docs.text();
    const csp = docs.headers.get('content-security-policy') ?? '';
    const nonce = /'nonce-([^']+)'/.exec(csp)?.[1];
    expect(nonce, csp).toBeTruthy();
    expect(html).toContain(`nonce="${nonce}"`);
    expect(csp).toContain("frame-ancestors 'none'");
    const json = await fetch(`${base}/api/v1/nope`);
    expect(json.headers.get('content-security-policy')).toContain("default-src 'none'");
  });
});

describe('npm run dev (Vite) serves the dashboard, never secrets', () => {
  let base: string;
  let close: () => Promise<void>;
  // Inside web/ on purpose: the one place the allow list would let through, so only the
  // DATA_DIR deny keeps secrets.json out.
  const dataDir = join(repoRoot, 'web', `.test-data-${process.pid}`);

  // Secrets that landed inside web/ by accident are still refused by name.
  const strayData = join(repoRoot, 'web', '.data');
  const strayVars = join(repoRoot, 'web', '.dev.vars');

  beforeAll(async () => {
    mkdirSync(strayData, { recursive: true });
    writeFileSync(join(strayData, 'secrets.json'), '{"JWT_SECRET":"stray-secret"}');
    writeFileSync(strayVars, 'JWT_SECRET=stray-secret');
    const started = await startServer({ dev: true, env: { PORT: '4614', HOST: '127.0.0.1', DATA_DIR: dataDir, APP_URL: 'http://127.0.0.1:4614' } });
    base = 'http://127.0.0.1:4614';
    close = started.close;
  }, 120_000);
  afterAll(async () => {
    await close?.();
    for (const path of [dataDir, strayData, strayVars]) rmSync(path, { recursive: true, force: true });
  });

  it('refuses files outside the dashboard and anything in the data dir', async () => {
    const secret = JSON.parse(readFileSync(join(dataDir, 'secrets.json'), 'utf8')).JWT_SECRET as string;
    const attempts = [
      `/@fs${join(dataDir, 'secrets.json')}`,
      `/@fs${join(dataDir, 'secrets.json')}?raw`,
      `/@fs${join(dataDir, 'secrets.json')}?import&raw`,
      `/.test-data-${process.pid}/secrets.json`,
      `/.test-data-${process.pid}/secrets.json?raw`,
      '/.data/secrets.json',
      `/@fs${join(repoRoot, '.data', 'secrets.json')}`,
      `/@fs${join(repoRoot, 'package.json')}`,
      `/@fs${join(repoRoot, 'functions', 'lib', 'config.ts')}`,
      `/@fs${join(repoRoot, '.dev.vars.example')}`,
      `/@fs${join(strayData, 'secrets.json')}`,
      '/.data/secrets.json?raw',
      `/@fs${strayVars}`,
      '/.dev.vars',
      '/.dev.vars?raw',
    ];
    for (const path of attempts) {
      const res = await fetch(`${base}${path}`);
      const body = await res.text();
      expect(body, path).not.toContain(secret);
      expect(body, path).not.toContain('"name": "versaai"');
      expect(body, path).not.toContain('JWT_SECRET');
      expect(body, path).not.toContain('stray-secret');
      const file = path.startsWith('/@fs') ? path.slice('/@fs'.length).replace(/\?.*$/, '') : undefined;
      // A missing file falls through to the SPA page; an existing one must be refused outright.
      if (file && existsSync(file)) expect(res.status, `${path} -> ${res.status}`).toBe(403);
    }
  });

  it('still serves the dashboard, its widget sources and dependencies, with the dev CSP', async () => {
    const page = await fetch(`${base}/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('/src/main.tsx');
    const csp = page.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain('ws:');
    expect((await fetch(`${base}/@fs${join(repoRoot, 'widget', 'src', 'markdown.ts')}`)).status).toBe(200);
    expect((await fetch(`${base}/src/main.tsx`)).status).toBe(200);
  });
});
