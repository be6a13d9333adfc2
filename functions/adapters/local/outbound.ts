import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from 'node:dns';
import { isIP } from 'node:net';
import { Agent } from 'undici';
import { OutboundRefused, addressRefusal, parseIp, type OutboundPolicy } from '../../lib/network';
import { createOutbound } from '../../lib/outbound';
import type { OutboundHttp } from '../../ports';

/** `dns.lookup` with `all: true`, as a function so tests can stand in a resolver of their own. */
export type ResolveAll = (hostname: string) => Promise<string[]>;

const systemResolve: ResolveAll = (hostname) =>
  new Promise((resolve, reject) =>
    dnsLookup(hostname, { all: true, verbatim: true }, (error, addresses) => (error ? reject(error) : resolve(addresses.map((a) => a.address)))),
  );

type LookupCallback = (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

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

  return createOutbound(
    {
      fetch(url, init) {
        // The port checked the URL's text; this is the last line for literals that skip `lookup`.
        const host = new URL(url).hostname;
        const literal = parseIp(host) ? addressRefusal(host, options.policy) : null;
        if (literal) return Promise.reject(new OutboundRefused(literal));
        // Node's fetch is undici: it takes the dispatcher whose connector runs the guarded lookup.
        const pinned: RequestInit & { dispatcher: Agent } = { ...init, redirect: 'manual', dispatcher: agent };
        return fetch(url, pinned);
      },
      resolve: (hostname) => resolveAll(hostname),
    },
    options.policy,
  );
}
