import type { OutboundPolicy } from '../../lib/network';
import { createOutbound } from '../../lib/outbound';
import type { OutboundHttp } from '../../ports';

/**
 * Outbound HTTP on Workers: the port's checks (scheme, credentials, IP literals in every form,
 * internal names, every redirect hop) around `fetch` with redirects returned, not followed.
 *
 * What the platform adds, per Cloudflare's Workers documentation ("Known issues"): a deployed
 * Worker cannot fetch an IP address directly, only host names, and it ignores custom ports
 * (requests go to 80/443). Subrequests are resolved by Cloudflare's DNS and leave from
 * Cloudflare's network, where the loopback, private networks and metadata service of our own
 * infrastructure do not exist. What the platform does not give: a DNS API, so a public name that
 * resolves to a private address cannot be refused before connecting here (on Node it is, at
 * connect time). `wrangler dev` runs on the developer's machine and reaches its loopback, which
 * is why the checks still run at the edge.
 */
export function createFetchOutbound(policy: OutboundPolicy): OutboundHttp {
  return createOutbound(
    {
      fetch: (url, init) => fetch(url, { ...init, redirect: 'manual' }),
      resolve: async () => null,
    },
    policy,
  );
}
