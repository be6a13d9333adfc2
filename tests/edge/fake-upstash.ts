import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHash } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import { json, readBody } from './fakes';

/**
 * Upstash Redis's REST API in front of a real redis-server, speaking Upstash's wire format so the
 * edge adapter runs unmodified:
 * - `POST /` with a JSON command array -> `{ result }` (400 `{ error }` on a Redis error);
 * - `POST /pipeline` and `POST /multi-exec` with an array of commands -> `[{ result } | { error }]`;
 * - `Authorization: Bearer <token>` required (401 otherwise);
 * - with `Upstash-Encoding: base64`, every string in a result is base64 except a bare "OK",
 *   which is how @upstash/redis decodes it;
 * - `GET /__commands` (no token, like the other fakes' inspection routes) answers how many HTTP requests
 *   (round trips) and commands were received, in total, by name and by `NAME key`, so tests and benchmarks can count what the
 *   Worker costs (a pipeline or transaction counts each of its commands), and by `NAME key` how many requests carried one
 *   (`requestsByKey`: the round trips that touched a key);
 * - Lua scripts may declare Upstash's own `#!lua flags=allow-key-locking` (as @upstash/ratelimit's
 *   do), which stock Redis rejects: the flag is dropped before Redis sees the script, and EVALSHA
 *   with the SHA-1 of the original text keeps working, as it does on Upstash.
 */
export interface FakeUpstash {
  url: string;
  close(): Promise<void>;
  /** Run a command directly against the backing Redis (for assertions). */
  command(args: Array<string | number>): Promise<unknown>;
  /**
   * Every HTTP request served so far (one per round trip: a pipeline is one), each with the
   * commands it carried; `npm run bench:chat` counts a chat turn's round trips with it.
   */
  requests: Array<{ path: string; commands: string[][] }>;
}

type Reply = string | number | null | RedisError | Status | Reply[];
class RedisError {
  constructor(readonly message: string) {}
}
/** A simple-string reply (`+OK`), distinguished from bulk strings only for the "OK" rule. */
class Status {
  constructor(readonly value: string) {}
}

export async function startFakeUpstash(options: { redisPort: number; token: string }): Promise<FakeUpstash> {
  const counts = { requests: 0, total: 0, byCommand: {} as Record<string, number>, byKey: {} as Record<string, number>, requestsByKey: {} as Record<string, number> };
  const count = (commands: string[][]) => {
    const touched = new Set<string>();
    for (const args of commands) {
      const name = (args[0] ?? '').toUpperCase();
      counts.total += 1;
      counts.byCommand[name] = (counts.byCommand[name] ?? 0) + 1;
      // A script's first key, not its text.
      const key = `${name} ${(name.startsWith('EVAL') ? args[3] : args[1]) ?? ''}`;
      counts.byKey[key] = (counts.byKey[key] ?? 0) + 1;
      touched.add(key);
    }
    for (const key of touched) counts.requestsByKey[key] = (counts.requestsByKey[key] ?? 0) + 1;
  };
  const requests: FakeUpstash['requests'] = [];
  const server = createServer((req, res) => {
    if (req.method === 'GET' && req.url === '/__commands') return json(res, 200, counts);
    counts.requests += 1;
    handle(req, res).catch((err: unknown) => json(res, 500, { error: String(err) }));
  });

  async function handle(req: IncomingMessage, res: ServerResponse) {
    if (req.headers.authorization !== `Bearer ${options.token}`) return json(res, 401, { error: 'Unauthorized' });
    if (req.method !== 'POST') return json(res, 405, { error: 'Only POST is supported by this fake' });
    const body = JSON.parse((await readBody(req)) || 'null') as unknown;
    const requestPath = new URL(req.url ?? '/', 'http://x').pathname;
    requests.push({ path: requestPath, commands: (requestPath === '/' ? [body] : Array.isArray(body) ? body : []).map((c) => (Array.isArray(c) ? c.map(String) : [String(c)])) });
    const base64 = String(req.headers['upstash-encoding'] ?? '').toLowerCase() === 'base64';
    const path = new URL(req.url ?? '/', 'http://x').pathname.replace(/\/$/, '');
    const toArgs = (cmd: unknown) => {
      if (!Array.isArray(cmd) || cmd.length === 0) throw new Error('ERR a command must be a non-empty JSON array');
      return cmd.map((a) => (typeof a === 'string' ? a : JSON.stringify(a)));
    };

    if (path === '' || path === '/') {
      count([toArgs(body)]);
      const [reply] = await redis([toArgs(body)]);
      if (reply instanceof RedisError) return json(res, 400, { error: reply.message });
      return json(res, 200, { result: encode(reply, base64) });
    }
    if (path === '/pipeline' || path === '/multi-exec') {
      if (!Array.isArray(body)) return json(res, 400, { error: 'ERR the body must be an array of commands' });
      const commands = body.map(toArgs);
      count(commands);
      if (path === '/pipeline') {
        const replies = await redis(commands);
        return json(res, 200, replies.map((r) => (r instanceof RedisError ? { error: r.message } : { result: encode(r, base64) })));
      }
      const replies = await redis([['MULTI'], ...commands, ['EXEC']]);
      const queued = replies.slice(1, -1).find((r) => r instanceof RedisError);
      if (queued instanceof RedisError) return json(res, 400, { error: queued.message });
      const exec = replies.at(-1);
      if (exec instanceof RedisError) return json(res, 400, { error: exec.message });
      return json(res, 200, (exec as Reply[]).map((r) => (r instanceof RedisError ? { error: r.message } : { result: encode(r, base64) })));
    }
    return json(res, 404, { error: `No such endpoint: ${path}` });
  }

  /** SHA-1 of a script as the client sent it -> the text Redis runs. */
  const scripts = new Map<string, string>();
  const adopt = (script: string) => {
    const sha = createHash('sha1').update(script).digest('hex');
    const runnable = script.replace(/^#!lua([^\n]*)/, (_line, rest: string) => {
      const kept = rest.replace(/flags=(\S*)/, (_m, list: string) => {
        const flags = list.split(',').filter((f) => f && f !== 'allow-key-locking');
        return flags.length ? `flags=${flags.join(',')}` : '';
      });
      return `#!lua${kept.trimEnd()}`;
    });
    scripts.set(sha, runnable);
    return { sha, runnable };
  };
  const translate = (args: string[]): string[] => {
    const name = args[0]?.toUpperCase();
    if ((name === 'EVAL' || name === 'EVAL_RO') && args[1] !== undefined) return [args[0]!, adopt(args[1]).runnable, ...args.slice(2)];
    if ((name === 'EVALSHA' || name === 'EVALSHA_RO') && args[1] !== undefined) {
      const known = scripts.get(args[1].toLowerCase());
      return known === undefined ? args : [name === 'EVALSHA' ? 'EVAL' : 'EVAL_RO', known, ...args.slice(2)];
    }
    if (name === 'SCRIPT' && args[1]?.toUpperCase() === 'LOAD' && args[2] !== undefined) {
      adopt(args[2]);
      return ['SCRIPT', 'LOAD', scripts.get(createHash('sha1').update(args[2]).digest('hex'))!];
    }
    return args;
  };

  async function redis(commands: string[][]): Promise<Reply[]> {
    const replies = await runCommands(options.redisPort, commands.map(translate));
    // SCRIPT LOAD answers the hash of what Redis stored; the client expects the hash of what it sent.
    return replies.map((reply, i) => {
      const args = commands[i]!;
      return args[0]?.toUpperCase() === 'SCRIPT' && args[1]?.toUpperCase() === 'LOAD' && typeof reply === 'string'
        ? createHash('sha1').update(args[2]!).digest('hex')
        : reply;
    });
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    command: async (args) => {
      const [reply] = await redis([args.map(String)]);
      if (reply instanceof RedisError) throw new Error(reply.message);
      return unwrap(reply);
    },
    close: () =>
      new Promise<void>((resolve) => {
        closeConnections(options.redisPort);
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function encode(reply: Reply, base64: boolean): unknown {
  if (reply instanceof Status) return base64 && reply.value !== 'OK' ? Buffer.from(reply.value).toString('base64') : reply.value;
  if (typeof reply === 'string') return base64 ? Buffer.from(reply, 'binary').toString('base64') : Buffer.from(reply, 'binary').toString('utf8');
  if (Array.isArray(reply)) return reply.map((r) => (r instanceof RedisError ? { error: r.message } : encode(r, base64)));
  return reply;
}

function unwrap(reply: Reply): unknown {
  if (reply instanceof Status) return reply.value;
  if (typeof reply === 'string') return Buffer.from(reply, 'binary').toString('utf8');
  if (Array.isArray(reply)) return reply.map(unwrap);
  return reply;
}

/**
 * Redis connections kept open between requests, as Upstash's servers keep theirs: a fresh TCP
 * connection per round trip (connect, accept, close) added its own cost to every edge KV call the
 * benchmarks time. One request at a time per connection, so a pipeline's or a transaction's
 * commands are never interleaved with another request's.
 */
const idleConnections = new Map<number, Socket[]>();

function connection(port: number): Promise<Socket> {
  const idle = idleConnections.get(port)?.pop();
  if (idle && !idle.destroyed) return Promise.resolve(idle);
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.setNoDelay(true);
    socket.once('error', reject);
    socket.once('connect', () => {
      socket.off('error', reject);
      // An idle connection that fails (Redis stopped) is dropped, never reused.
      socket.on('error', () => socket.destroy());
      socket.unref();
      resolve(socket);
    });
  });
}

function release(port: number, socket: Socket) {
  if (socket.destroyed) return;
  const idle = idleConnections.get(port) ?? [];
  idle.push(socket);
  idleConnections.set(port, idle);
}

/** Closes the kept connections to a Redis (its fake is closing). */
function closeConnections(port: number) {
  for (const socket of idleConnections.get(port) ?? []) socket.destroy();
  idleConnections.delete(port);
}

/** Send commands over one RESP2 connection and read one reply per command. */
async function runCommands(port: number, commands: string[][]): Promise<Reply[]> {
  const socket = await connection(port);
  return new Promise((resolve, reject) => {
    let buffer = Buffer.alloc(0);
    const replies: Reply[] = [];
    const finish = (error?: Error) => {
      socket.off('data', onData);
      socket.off('error', onError);
      socket.off('close', onClose);
      if (error) {
        socket.destroy();
        reject(error);
      } else {
        release(port, socket);
        resolve(replies);
      }
    };
    const onError = (error: Error) => finish(error);
    const onClose = () => finish(new Error('Redis closed the connection'));
    const onData = (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk]);
      for (;;) {
        const parsed = parseReply(buffer, 0);
        if (!parsed) break;
        replies.push(parsed.value);
        buffer = buffer.subarray(parsed.next);
        if (replies.length === commands.length) return finish();
      }
    };
    socket.on('data', onData);
    socket.on('error', onError);
    socket.on('close', onClose);
    const parts: Buffer[] = [];
    for (const args of commands) {
      parts.push(Buffer.from(`*${args.length}\r\n`));
      for (const arg of args) {
        const bytes = Buffer.from(arg, 'utf8');
        parts.push(Buffer.from(`$${bytes.length}\r\n`), bytes, Buffer.from('\r\n'));
      }
    }
    socket.write(Buffer.concat(parts));
  });
}

/** Parse one RESP2 reply at `at`; null when more bytes are needed. Bulk strings stay 'binary' strings. */
function parseReply(buf: Buffer, at: number): { value: Reply; next: number } | null {
  const eol = buf.indexOf('\r\n', at);
  if (eol < 0) return null;
  const type = String.fromCharCode(buf[at]!);
  const line = buf.toString('utf8', at + 1, eol);
  const next = eol + 2;
  switch (type) {
    case '+':
      return { value: new Status(line), next };
    case '-':
      return { value: new RedisError(line), next };
    case ':':
      return { value: Number(line), next };
    case '$': {
      const len = Number(line);
      if (len < 0) return { value: null, next };
      if (buf.length < next + len + 2) return null;
      return { value: buf.toString('binary', next, next + len), next: next + len + 2 };
    }
    case '*': {
      const count = Number(line);
      if (count < 0) return { value: null, next };
      const items: Reply[] = [];
      let cursor = next;
      for (let i = 0; i < count; i++) {
        const item = parseReply(buf, cursor);
        if (!item) return null;
        items.push(item.value);
        cursor = item.next;
      }
      return { value: items, next: cursor };
    }
    default:
      throw new Error(`Unexpected RESP type ${JSON.stringify(type)}`);
  }
}
