import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from 'node:dns';
import { isIP } from 'node:net';
import { finished, pipeline, Transform, type Readable } from 'node:stream';
import * as zlib from 'node:zlib';
import { Agent } from 'undici';
import { OutboundRefused, addressRefusal, parseIp, type OutboundPolicy } from '../../lib/network';
import { createOutbound, textOf, tooLargeError, type TextExchange } from '../../lib/outbound';
import type { OutboundHttp, OutboundText } from '../../ports';

/** `dns.lookup` with `all: true`, as a function so tests can stand in a resolver of their own. */
export type ResolveAll = (hostname: string) => Promise<string[]>;

const systemResolve: ResolveAll = (hostname) =>
  new Promise((resolve, reject) =>
    dnsLookup(hostname, { all: true, verbatim: true }, (error, addresses) => (error ? reject(error) : resolve(addresses.map((a) => a.address)))),
  );

type LookupCallback = (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/** The headers Node's fetch adds when the caller did not set them (`fetchText` sends the same). */
const FETCH_DEFAULTS: Record<string, string> = { accept: '*/*', 'accept-language': '*', 'user-agent': 'node' };

/** The request's headers with fetch's defaults under them; a text body is labelled as fetch labels it. */
function withDefaults(headers: Record<string, string>, body: string | undefined): Record<string, string> {
  const given = new Set(Object.keys(headers).map((name) => name.toLowerCase()));
  const merged: Record<string, string> = {};
  for (const name in FETCH_DEFAULTS) if (!given.has(name)) merged[name] = FETCH_DEFAULTS[name];
  if (body !== undefined && !given.has('content-type')) merged['content-type'] = 'text/plain;charset=UTF-8';
  return Object.assign(merged, headers);
}

/**
 * The decoders for a `content-encoding`, as fetch picks them (outermost coding last, lenient
 * flushing, at most 5); null when there is none or one is unknown (the bytes are then read as
 * they are, as fetch does). `fetchText` does not ask for compression, so this is for servers
 * that compress anyway, or answer a caller's own `accept-encoding`.
 */
function decodersFor(encoding: string | undefined): NodeJS.ReadWriteStream[] | null {
  const codings = (encoding ?? '').toLowerCase().split(',').map((coding) => coding.trim()).filter(Boolean);
  if (codings.length === 0) return null;
  if (codings.length > 5) throw new Error(`too many content-encodings in response: ${codings.length}, maximum allowed is 5`);
  const { constants } = zlib;
  const lenient = { flush: constants.Z_SYNC_FLUSH, finishFlush: constants.Z_SYNC_FLUSH };
  const decoders: NodeJS.ReadWriteStream[] = [];
  for (const coding of codings.reverse()) {
    if (coding === 'gzip' || coding === 'x-gzip') decoders.push(zlib.createGunzip(lenient));
    else if (coding === 'deflate') decoders.push(inflateEither(lenient));
    else if (coding === 'br') decoders.push(zlib.createBrotliDecompress({ flush: constants.BROTLI_OPERATION_FLUSH, finishFlush: constants.BROTLI_OPERATION_FLUSH }));
    // Node has zstd from 22.15 (engines says 22.12).
    else if (coding === 'zstd' && typeof zlib.createZstdDecompress === 'function') decoders.push(zlib.createZstdDecompress());
    else return null;
  }
  return decoders;
}

/**
 * `deflate` as fetch (undici) reads it: zlib-wrapped, as RFC 9110 defines it, or raw deflate,
 * which some servers send under that name. The first byte tells them apart (a zlib header's low
 * nibble is 8, the deflate method). As a Transform it keeps zlib's backpressure: the next
 * compressed chunk is taken only once the text reader has drained what the last one inflated to.
 */
function inflateEither(options: zlib.ZlibOptions): NodeJS.ReadWriteStream {
  let inflate: zlib.Inflate | zlib.InflateRaw | undefined;
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      if (!inflate) {
        if (chunk.length === 0) return done();
        inflate = (chunk[0]! & 0x0f) === 0x08 ? zlib.createInflate(options) : zlib.createInflateRaw(options);
        inflate.on('data', (data: Buffer) => this.push(data));
        inflate.once('error', (error) => this.destroy(error));
      }
      inflate.write(chunk, done);
    },
    flush(done) {
      if (!inflate) return done();
      inflate.once('end', () => done());
      inflate.end();
    },
    destroy(error, done) {
      inflate?.destroy();
      done(error);
    },
  });
}

/**
 * A Node stream's bytes up to `maxBytes`, as text; past them it stops reading (destroys the
 * stream) and cuts or throws. Through events: an async iterator per body cost more than the read.
 */
function collectText(body: Readable, maxBytes: number, overflow: TextExchange['overflow'], tooLarge: () => Error): Promise<string> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    let size = 0;
    const done = () => resolve(textOf(parts, Math.min(size, maxBytes)));
    body.on('data', (chunk: Buffer) => {
      parts.push(chunk);
      size += chunk.byteLength;
      if (overflow === 'refuse' && size > maxBytes) {
        reject(tooLarge());
        body.destroy();
      } else if (overflow === 'cut' && size >= maxBytes) {
        // An excerpt needs no more once it has its bytes (a receiver may trickle the rest).
        done();
        body.destroy();
      }
    });
    // An abort (the deadline) or a broken connection: the stream's error, or a premature close.
    finished(body, (error) => (error ? reject(error) : done()));
  });
}

/** A response body as text within the exchange's bound, decoded as fetch decodes it. */
async function readBody(body: Readable & { text(): Promise<string> }, headers: Record<string, string>, url: string, { maxBytes, overflow }: TextExchange): Promise<string> {
  const tooLarge = () => tooLargeError(url, maxBytes);
  const length = headers['content-length'];
  if (overflow === 'refuse' && Number(length ?? 0) > maxBytes) throw tooLarge();
  const decoders = decodersFor(headers['content-encoding']);
  if (decoders) {
    const decoded = pipeline([body, ...decoders] as [Readable, ...NodeJS.ReadWriteStream[]], () => {}) as unknown as Readable;
    return collectText(decoded, maxBytes, overflow, tooLarge);
  }
  // A declared length within the bound, on a body read as it is, is framed by HTTP: the
  // connection stops there, so nothing needs counting.
  if (length !== undefined && /^\d+$/.test(length) && Number(length) <= maxBytes) return body.text();
  return collectText(body, maxBytes, overflow, tooLarge);
}

function headerRecord(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const record: Record<string, string> = {};
  for (const name in headers) {
    const value = headers[name];
    if (value !== undefined) record[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return record;
}

/**
 * Outbound HTTP on Node with the SSRF check at connect time: the socket's `lookup` resolves the
 * host, refuses it when any address is refused (a name with one public and one private record is
 * refused, since the stack may pick either), and hands the checked addresses to `connect`, so the
 * address checked is the address used. Node skips `lookup` for IP literals, which the port
 * checks in the URL before connecting. TLS keeps the URL's host for SNI and certificate checks,
 * and `Host` is the URL's. A pooled keep-alive socket stays pinned to the address checked when it
 * connected.
 */
export function createNodeOutbound(options: { policy: OutboundPolicy; resolve?: ResolveAll }): OutboundHttp {
  const resolveAll = options.resolve ?? systemResolve;

  const guardedLookup = (hostname: string, lookupOptions: LookupOptions, callback: LookupCallback) => {
    resolveAll(hostname).then(
      (addresses) => {
        const refusal = addresses.length === 0 ? `${hostname} resolves to no address` : addresses.map((a) => addressRefusal(a, options.policy, hostname)).find(Boolean);
        if (refusal) callback(new OutboundRefused(refusal), '');
        else if (lookupOptions.all) callback(null, addresses.map((address) => ({ address, family: isIP(address) })));
        else callback(null, addresses[0], isIP(addresses[0]));
      },
      (error: NodeJS.ErrnoException) => callback(error, ''),
    );
  };

  const agent = new Agent({ connect: { lookup: guardedLookup }, connections: 64 });

  /** The port checked the URL's text; this is the last line for literals that skip `lookup`. */
  const literalRefusal = (hostname: string) => (parseIp(hostname) ? addressRefusal(hostname, options.policy) : null);

  return createOutbound(
    {
      fetch(url, init) {
        const literal = literalRefusal(new URL(url).hostname);
        if (literal) return Promise.reject(new OutboundRefused(literal));
        // Node's fetch is undici: it takes the dispatcher whose connector runs the guarded lookup.
        const pinned: RequestInit & { dispatcher: Agent } = { ...init, redirect: 'manual', dispatcher: agent };
        return fetch(url, pinned);
      },

      /**
       * The same Agent (so the same guarded connector and pool) through `agent.request`: no fetch
       * spec machinery, no WHATWG streams, no Response. It never follows redirects.
       */
      async fetchText(url, exchange: TextExchange): Promise<OutboundText> {
        const target = new URL(url);
        const literal = literalRefusal(target.hostname);
        if (literal) throw new OutboundRefused(literal);
        const method = exchange.method.toUpperCase();
        if (exchange.body !== undefined && (method === 'GET' || method === 'HEAD')) throw new TypeError('Request with GET/HEAD method cannot have body.');
        const response = await agent.request({
          origin: target.origin,
          path: target.pathname + target.search,
          method,
          headers: withDefaults(exchange.headers, exchange.body),
          body: exchange.body,
          signal: exchange.signal,
        });
        try {
          const headers = headerRecord(response.headers);
          return { status: response.statusCode, headers, body: await readBody(response.body, headers, url, exchange) };
        } catch (error) {
          // Too large, too many codings, a broken stream: the rest is not read.
          response.body.destroy();
          throw error;
        }
      },

      resolve: (hostname) => resolveAll(hostname),
    },
    options.policy,
  );
}
