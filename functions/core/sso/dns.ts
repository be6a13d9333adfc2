/**
 * TXT records through a DNS-over-HTTPS resolver's JSON API (Cloudflare, Google and others speak
 * it): Workers have no DNS API, and one HTTP client serves both runtimes. The resolver is the
 * operator's choice (DNS_RESOLVER_URL), not a tenant's, so it is called directly.
 */
interface DnsJsonAnswer {
  name?: string;
  type?: number;
  data?: string;
}

const TXT = 16;

/** A TXT record's data as one string: DoH answers quote it and may split it in 255-byte chunks. */
function joinTxtData(data: string): string {
  const chunks = data.match(/"((?:[^"\\]|\\.)*)"/g);
  if (!chunks) return data;
  return chunks.map((chunk) => chunk.slice(1, -1).replace(/\\(.)/g, '$1')).join('');
}

export async function lookupTxtRecords(resolverUrl: string, name: string, fetchImpl: typeof fetch = fetch): Promise<string[]> {
  const url = new URL(resolverUrl);
  url.searchParams.set('name', name);
  url.searchParams.set('type', 'TXT');
  const response = await fetchImpl(url, { headers: { accept: 'application/dns-json' }, signal: AbortSignal.timeout(5000) });
  if (!response.ok) throw new Error(`The DNS resolver answered ${response.status}`);
  const body = (await response.json()) as { Status?: number; Answer?: DnsJsonAnswer[] };
  // Status 3 (NXDOMAIN) is an answer too: the name has no records.
  return (body.Answer ?? []).filter((a) => a.type === TXT && typeof a.data === 'string').map((a) => joinTxtData(a.data!));
}
