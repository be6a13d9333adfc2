/**
 * Edge proof, global setup: everything the Worker talks to, as real local processes on 127.0.0.1
 * (free ports, temp dirs), then the Worker itself in workerd via `wrangler dev`:
 *
 *   test --HTTP--> wrangler dev (workerd, functions/worker.ts, edge adapters)
 *                    |-- INGEST service binding --> functions/ingest-worker.ts (ingestion jobs, same workerd)
 *                    |-- Neon driver --ws--> ws-proxy.ts --tcp--> Postgres 15 (migrated)
 *                    |-- @upstash/redis + ratelimit --HTTP--> fake-upstash.ts --RESP--> redis-server
 *                    |-- QStash client --HTTP--> fake QStash --signed POST--> /api/jobs/<name> (back into the Worker)
 *                    `-- mail adapter --HTTP--> fake mail API (records POST /emails)
 *
 * Tests run in other processes and get addresses through `inject('edge')`.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { chmod, chown, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer as createHttpServer } from 'node:http';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { drizzle } from 'drizzle-orm/node-postgres';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { dashboardHeadersFile } from '../../functions/lib/security-headers';
import { startFakeMail, startFakePinecone, startFakeQStash } from './fakes';
import { startFakeUpstash } from './fake-upstash';
import { startWsProxy } from './ws-proxy';

export interface EdgeContext {
  /** Origin of `wrangler dev`. */
  baseUrl: string;
  /** Direct (TCP) connection string to the Postgres the Worker writes to, for assertions. */
  databaseUrl: string;
  upstash: { url: string; token: string };
  mailUrl: string;
  qstashUrl: string;
  pineconeUrl: string;
  /** Test-only credentials of the fakes, for the adapter contract tests. */
  keys: { mail: string; qstash: string; pinecone: string };
  /** `GET` returns the tail of wrangler's output (Worker logs), so a failing test can show them. */
  logsUrl: string;
}

declare module 'vitest' {
  export interface ProvidedContext {
    edge: EdgeContext;
  }
}

const ROOT = resolve(import.meta.dirname, '../..');
const STARTUP_DEADLINE_MS = 120_000;

export default async function setup(project: TestProject) {
  const { context, teardown } = await startEdgeStack();
  project.provide('edge', context);
  return teardown;
}

export interface EdgeStackOptions {
  /** Rewrites the copy of wrangler.toml the Worker runs with (benchmarks compare configurations). */
  editToml?: (toml: string) => string;
  /** The same for wrangler.ingest.toml (a binding removed from one may be referenced by the other). */
  editIngestToml?: (toml: string) => string;
  /** Extra `.dev.vars` entries. */
  vars?: Record<string, string>;
}

/** The whole stack of the edge suite, for the suite and for benchmarks (scripts/bench-realtime.ts). */
export async function startEdgeStack(
  options: EdgeStackOptions = {},
): Promise<{ context: EdgeContext; teardown: () => Promise<void>; sqlStatements: () => number }> {
  const cleanups: Array<() => Promise<unknown> | unknown> = [];
  const teardown = async () => {
    for (const fn of cleanups.reverse()) await Promise.resolve().then(fn).catch((err) => console.error('[edge teardown]', err));
  };

  try {
    const redisBin = findBinary('redis-server');
    if (!redisBin) {
      throw new Error('redis-server is not installed; the edge suite needs it behind the fake Upstash API. Install it with: apt-get install -y redis-server');
    }
    const pgBin = findPostgresBin();

    const tmp = await mkdtemp(join(tmpdir(), 'versaai-edge-'));
    cleanups.push(() => rm(tmp, { recursive: true, force: true }));
    await chmod(tmp, 0o711); // the postgres user must traverse into it

    // ---- Postgres 15 ----------------------------------------------------------------------
    const pgPort = await freePort();
    const pgPassword = randomBytes(12).toString('hex');
    const pgDir = join(tmp, 'pg');
    await mkdir(pgDir);
    await writeFile(join(pgDir, 'pwfile'), `${pgPassword}\n`);
    const owner = postgresOwner();
    if (owner) {
      await chown(pgDir, owner.uid, owner.gid);
      await chown(join(pgDir, 'pwfile'), owner.uid, owner.gid);
    }
    const asOwner = owner ? { uid: owner.uid, gid: owner.gid } : {};
    // Password auth over loopback, as Neon's proxy asks for it (over TLS there): under SCRAM the
    // Neon driver derives the key with 4096 awaited HMAC calls, about 13 ms of every request's
    // connection in workerd (/health p50 61 -> 46 ms), a cost production never pays.
    const initdb = spawnSync(
      join(pgBin, 'initdb'),
      ['-D', join(pgDir, 'data'), '-U', 'versaai', `--pwfile=${join(pgDir, 'pwfile')}`, '--auth-host=password', '--auth-local=trust', '-E', 'UTF8', '--locale=C'],
      { ...asOwner, cwd: pgDir, encoding: 'utf8', env: { PATH: process.env.PATH, LC_ALL: 'C' } },
    );
    if (initdb.status !== 0) throw new Error(`initdb failed (${initdb.status}):\n${initdb.stdout}\n${initdb.stderr}`);

    const postgres = startProcess(
      'postgres',
      join(pgBin, 'postgres'),
      ['-D', join(pgDir, 'data'), '-p', String(pgPort), '-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', '-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off'],
      { ...asOwner, cwd: pgDir, env: { PATH: process.env.PATH, LC_ALL: 'C' } },
    );
    cleanups.push(() => stopProcess(postgres.child, 'SIGINT'));
    const adminUrl = `postgres://versaai:${pgPassword}@127.0.0.1:${pgPort}/postgres`;
    await waitFor('Postgres', postgres, async () => {
      const client = new pg.Client({ connectionString: adminUrl });
      await client.connect();
      await client.end();
    });
    {
      const client = new pg.Client({ connectionString: adminUrl });
      await client.connect();
      await client.query('CREATE DATABASE versaai');
      await client.end();
    }
    const databaseUrl = `postgres://versaai:${pgPassword}@127.0.0.1:${pgPort}/versaai`;
    {
      // Same committed migrations, same migrator table as `drizzle-kit migrate` against Neon.
      const client = new pg.Client({ connectionString: databaseUrl });
      await client.connect();
      try {
        await migrate(drizzle({ client }), { migrationsFolder: join(ROOT, 'db/migrations') });
      } finally {
        await client.end();
      }
    }

    // ---- Redis behind a fake Upstash REST API ---------------------------------------------------
    const redisPort = await freePort();
    const redisDir = join(tmp, 'redis');
    await mkdir(redisDir);
    const redis = startProcess('redis-server', redisBin, ['--port', String(redisPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', redisDir], { cwd: redisDir });
    cleanups.push(() => stopProcess(redis.child, 'SIGTERM'));
    const upstashToken = randomBytes(16).toString('hex');
    const upstash = await startFakeUpstash({ redisPort, token: upstashToken });
    cleanups.push(() => upstash.close());
    await waitFor('redis-server', redis, async () => {
      if ((await upstash.command(['PING'])) !== 'PONG') throw new Error('no PONG');
    });

    // ---- WebSocket proxy, mail, QStash ----------------------------------------------------------
    const proxy = await startWsProxy({ allowedPorts: [pgPort] });
    cleanups.push(() => proxy.close());
    const mailKey = `re_${randomBytes(12).toString('hex')}`;
    const mail = await startFakeMail(mailKey);
    cleanups.push(() => mail.close());
    const qstashToken = randomBytes(16).toString('hex');
    const qstashSigningKeys = { current: `sig_${randomBytes(24).toString('base64url')}`, next: `sig_${randomBytes(24).toString('base64url')}` };
    const qstash = await startFakeQStash({ token: qstashToken, currentSigningKey: qstashSigningKeys.current });
    cleanups.push(() => qstash.close());
    const pineconeKey = `pc-${randomBytes(12).toString('hex')}`;
    const pinecone = await startFakePinecone(pineconeKey);
    cleanups.push(() => pinecone.close());

    // ---- wrangler dev -----------------------------------------------------------------------
    // A copy of the real wrangler.toml in a temp dir, with only paths rewritten, so a developer's
    // own .dev.vars never leaks in and .wrangler state stays out of the repo.
    const port = await freePort();
    const inspectorPort = await freePort();
    const baseUrl = `http://127.0.0.1:${port}`;
    const wranglerDir = join(tmp, 'wrangler');
    await mkdir(wranglerDir);
    const assetsDir = await assetsDirectory(tmp);
    let toml = await readFile(join(ROOT, 'wrangler.toml'), 'utf8');
    toml = replaceOnce(toml, /^main = ".*"$/m, `main = ${JSON.stringify(join(ROOT, 'functions/worker.ts'))}`);
    toml = replaceOnce(toml, /^directory = ".*"$/m, `directory = ${JSON.stringify(assetsDir)}`);
    // The [alias] table's module paths are relative to the config's own directory.
    toml = toml.replace(/^(".+" = )"\.\/(.+)"$/gm, (_, key: string, path: string) => `${key}${JSON.stringify(join(ROOT, path))}`);
    await writeFile(join(wranglerDir, 'wrangler.toml'), options.editToml ? options.editToml(toml) : toml);
    // The ingestion worker runs beside it in the same workerd, reached through the INGEST service
    // binding exactly as deployed; both read the one .dev.vars below.
    let ingestToml = await readFile(join(ROOT, 'wrangler.ingest.toml'), 'utf8');
    ingestToml = replaceOnce(ingestToml, /^main = ".*"$/m, `main = ${JSON.stringify(join(ROOT, 'functions/ingest-worker.ts'))}`);
    await writeFile(join(wranglerDir, 'wrangler.ingest.toml'), options.editIngestToml ? options.editIngestToml(ingestToml) : ingestToml);
    const vars: Record<string, string> = {
      APP_URL: baseUrl,
      JWT_SECRET: randomBytes(32).toString('base64url'),
      ENCRYPTION_KEY: randomBytes(32).toString('base64url'),
      QSTASH_CURRENT_SIGNING_KEY: qstashSigningKeys.current,
      QSTASH_NEXT_SIGNING_KEY: qstashSigningKeys.next,
      QSTASH_TOKEN: qstashToken,
      QSTASH_URL: qstash.url,
      DATABASE_URL: databaseUrl,
      NEON_WS_PROXY: `127.0.0.1:${proxy.port}/v1`,
      UPSTASH_REDIS_REST_URL: upstash.url,
      UPSTASH_REDIS_REST_TOKEN: upstashToken,
      PINECONE_API_KEY: pineconeKey,
      PINECONE_INDEX_HOST: pinecone.url,
      MAIL_API_URL: mail.url,
      MAIL_API_KEY: mailKey,
      MAIL_FROM: 'VersaAI <no-reply@versaai.test>',
      // A flow turn's two announcements share their round trip however slow this machine is today.
      CHAT_ANNOUNCE_HOLD_MS: '60000',
      ...options.vars,
    };
    await writeFile(join(wranglerDir, '.dev.vars'), Object.entries(vars).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join('\n') + '\n');

    const wrangler = startProcess(
      'wrangler dev',
      process.execPath,
      [
        join(ROOT, 'node_modules/wrangler/bin/wrangler.js'),
        'dev',
        '--config', join(wranglerDir, 'wrangler.toml'),
        '--config', join(wranglerDir, 'wrangler.ingest.toml'),
        '--ip', '127.0.0.1',
        '--port', String(port),
        '--inspector-ip', '127.0.0.1',
        '--inspector-port', String(inspectorPort),
        '--persist-to', join(wranglerDir, 'state'),
        '--test-scheduled',
        '--show-interactive-dev-session=false',
        '--log-level', 'info',
      ],
      {
        cwd: wranglerDir,
        detached: true, // own process group, so workerd goes down with it
        env: { ...process.env, WRANGLER_SEND_METRICS: 'false', NO_COLOR: '1', FORCE_COLOR: '0', WRANGLER_LOG_PATH: join(tmp, 'wrangler-logs') },
      },
    );
    cleanups.push(() => stopProcess(wrangler.child, 'SIGTERM', true));
    // Ready once the app itself answers (a JSON body, even a 503 "degraded"): whether every
    // dependency is healthy is the first test's assertion, with the body printed.
    await waitFor('wrangler dev', wrangler, async () => {
      const res = await fetch(`${baseUrl}/health`);
      const text = await res.text();
      if (!(res.headers.get('content-type') ?? '').includes('application/json')) throw new Error(`/health answered ${res.status}: ${text.slice(0, 300)}`);
    });

    const logs = createHttpServer((_req, res) => res.writeHead(200, { 'Content-Type': 'text/plain' }).end(wrangler.output()));
    await new Promise<void>((r) => logs.listen(0, '127.0.0.1', r));
    cleanups.push(() => new Promise<void>((r) => logs.close(() => r())));
    const logsUrl = `http://127.0.0.1:${(logs.address() as AddressInfo).port}`;

    const context: EdgeContext = { logsUrl, keys: { mail: mailKey, qstash: qstashToken, pinecone: pineconeKey }, baseUrl, databaseUrl, upstash: { url: upstash.url, token: upstashToken }, mailUrl: mail.url, qstashUrl: qstash.url, pineconeUrl: pinecone.url };
    return { context, teardown, sqlStatements: () => proxy.statements() };
  } catch (err) {
    await teardown();
    throw err;
  }
}

interface Started {
  name: string;
  child: ChildProcess;
  output(): string;
  exited(): boolean;
}

function startProcess(name: string, command: string, args: string[], options: Parameters<typeof spawn>[2]): Started {
  const child = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  let exited = false;
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString('utf8')).slice(-200_000);
    if (process.env.EDGE_DEBUG) process.stderr.write(`[${name}] ${chunk.toString('utf8')}`);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  child.on('exit', () => (exited = true));
  child.on('error', (err) => {
    exited = true;
    output += `\n${err.message}`;
  });
  return { name, child, output: () => output, exited: () => exited };
}

/** Poll `probe` until it resolves; fail with the process's output if it exits or the deadline passes. */
async function waitFor(what: string, started: Started, probe: () => Promise<void>) {
  const deadline = Date.now() + STARTUP_DEADLINE_MS;
  let last: unknown;
  while (Date.now() < deadline) {
    if (started.exited()) throw new Error(`${what} exited during startup:\n${started.output().slice(-6000)}`);
    try {
      await probe();
      return;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${what} was not ready within ${STARTUP_DEADLINE_MS / 1000}s.\n--- its output (tail) ---\n${started.output().slice(-6000)}\n--- last probe error ---\n${String(last)}`);
}

async function stopProcess(child: ChildProcess, signal: NodeJS.Signals, group = false) {
  if (child.exitCode !== null || child.signalCode !== null || !child.pid) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const kill = (sig: NodeJS.Signals) => {
    try {
      if (group) process.kill(-child.pid!, sig);
      else child.kill(sig);
    } catch {
      // Already gone.
    }
  };
  kill(signal);
  const timer = setTimeout(() => kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
  // wrangler's workerd may outlive the wrangler process by a moment; make sure the group is gone.
  if (group) kill('SIGKILL');
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function findBinary(name: string): string | undefined {
  const found = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' });
  return found.status === 0 ? found.stdout.trim() : undefined;
}

function findPostgresBin(): string {
  const candidates = [process.env.PG_BIN, '/usr/lib/postgresql/15/bin'];
  const pgConfig = findBinary('pg_config');
  if (pgConfig) candidates.push(spawnSync(pgConfig, ['--bindir'], { encoding: 'utf8' }).stdout.trim());
  for (const dir of candidates) if (dir && existsSync(join(dir, 'initdb')) && existsSync(join(dir, 'postgres'))) return dir;
  throw new Error('Postgres server binaries not found (looked in $PG_BIN, /usr/lib/postgresql/15/bin, pg_config --bindir). Install postgresql-15.');
}

/** Postgres refuses to run as root: as root, run it as the `postgres` system user (or `nobody`). */
function postgresOwner(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const passwd = readFileSync('/etc/passwd', 'utf8').split('\n').map((l) => l.split(':'));
  const entry = passwd.find((f) => f[0] === 'postgres') ?? passwd.find((f) => f[0] === 'nobody');
  if (!entry) throw new Error('Running as root, but neither a `postgres` nor a `nobody` user exists to run Postgres');
  return { uid: Number(entry[2]), gid: Number(entry[3]) };
}

/** The built SPA if there is one; otherwise a stub page, so the suite does not need a web build. */
async function assetsDirectory(tmp: string): Promise<string> {
  const built = join(ROOT, 'dist/web');
  if (existsSync(join(built, 'index.html'))) return built;
  const stub = join(tmp, 'assets');
  await mkdir(stub);
  await writeFile(join(stub, 'index.html'), '<!doctype html><title>VersaAI</title><div id="root">edge-test-spa</div>\n');
  // What the web build writes next to index.html: the dashboard's CSP and framing headers.
  await writeFile(join(stub, '_headers'), dashboardHeadersFile());
  return stub;
}

function replaceOnce(text: string, pattern: RegExp, replacement: string): string {
  if (!pattern.test(text)) throw new Error(`wrangler.toml has no line matching ${pattern}`);
  return text.replace(pattern, replacement);
}
