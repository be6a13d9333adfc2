import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from 'node:dns';
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { isIP } from 'node:net';
import { OutboundRefused, OutboundTimeout, stripBrackets } from '../../lib/network';
import type { OutboundHttp, OutboundRequest, OutboundResponse } from '../../ports';

/** `dns.lookup` with `all: true`, as a function so tests can stand in a resolver of their own. */
export type ResolveAll = (hostname: string) => Promise<string[]>;

const systemResolve: ResolveAll = (hostname) =>
  new Promise((resolve, reject) =>
    dnsLookup(hostname, { all: true }, (error, addresses) => (error ? reject(error) : resolve(addresses.map((a) => a.address)))),
  );

type LookupCallback = (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/**
 * Outbound HTTP on Node with the SSRF check at connection time: the socket's `lookup` resolves
 * the host, refuses it when any address is not allowed (a host with one public and one private
 * record is refused), and hands the checked addresses to `connect`, so the address checked is
 * the address used. IP literals skip `lookup` in Node, so they are checked before connecting.
 * Keep-alive agents keep sockets to busy receivers open; a pooled socket stays pinned to the
 * address that was checked when it connected.
 */
export function createNodeOutbound(options: { resolve?: ResolveAll } = {}): OutboundHttp {
  const resolveAll = options.resolve ?? systemResolve;
  const agents = {
    'http:': new HttpAgent({ keepAlive: true, maxSockets: 64 }),
    'https:': new HttpsAgent({ keepAlive: true, maxSockets: 64 }),
  };

  const guardedLookup = (request: OutboundRequest) => (hostname: string, lookupOptions: LookupOptions, callback: LookupCallback) => {
    resolveAll(hostname).then(
      (addresses) => {
        const refused = addresses.find((address) => !request.allowAddress(address));
        if (refused || addresses.length === 0) {
          callback(new OutboundRefused(`${hostname} resolves to ${refused ?? 'no address'}, which is not allowed`), '');
        } else if (lookupOptions.all) {
          callback(null, addresses.map((address) => ({ address, family: isIP(address) })));
        } else {
          callback(null, addresses[0], isIP(addresses[0]));
        }
      },
      (error: NodeJS.ErrnoException) => callback(error, ''),
    );
  };

  return {
    async resolve(hostname) {
      return resolveAll(stripBrackets(hostname));
    },

    send(request) {
      return new Promise<OutboundResponse>((resolve, reject) => {
        const url = new URL(request.url);
        const host = stripBrackets(url.hostname);
        if (isIP(host) && !request.allowAddress(host)) {
          reject(new OutboundRefused(`${host} is not an allowed address`));
          return;
        }
        const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
        const agent = agents[url.protocol as keyof typeof agents];
        if (!agent) {
          reject(new OutboundRefused(`${url.protocol} URLs are not supported`));
          return;
        }
        const body = Buffer.from(request.body ?? '', 'utf8');
        let settled = false;
        let timer: ReturnType<typeof setTimeout> | undefined;
        const finish = (error: Error | null, response?: OutboundResponse) => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          if (error) reject(error);
          else resolve(response!);
        };
        const outgoing = send(
          url,
          {
            method: request.method,
            agent,
            headers: request.body === undefined ? request.headers : { ...request.headers, 'content-length': String(body.byteLength) },
            lookup: guardedLookup(request) as never,
          },
          (incoming) => readExcerpt(incoming, request.maxResponseBytes, (text) => finish(null, { status: incoming.statusCode ?? 0, body: text })),
        );
        // One deadline for connecting, sending and reading the answer: a receiver that trickles
        // bytes cannot hold a delivery open past it.
        timer = setTimeout(() => {
          const timeout = new OutboundTimeout(`No complete answer within ${request.timeoutMs} ms`);
          finish(timeout);
          outgoing.destroy(timeout);
        }, request.timeoutMs);
        outgoing.on('error', (error) => finish(error));
        outgoing.end(body);
      });
    },
  };
}

/** Reads at most `maxBytes` of the body, then stops reading (the socket is dropped, not drained). */
function readExcerpt(incoming: IncomingMessage, maxBytes: number, done: (text: string) => void) {
  const parts: Buffer[] = [];
  let size = 0;
  let finished = false;
  const end = () => {
    if (finished) return;
    finished = true;
    done(Buffer.concat(parts).subarray(0, maxBytes).toString('utf8'));
  };
  incoming.on('data', (chunk: Buffer) => {
    if (size < maxBytes) parts.push(chunk);
    size += chunk.byteLength;
    if (size > maxBytes) {
      end();
      incoming.destroy();
    }
  });
  incoming.on('end', end);
  incoming.on('close', end);
  incoming.on('error', end);
}
