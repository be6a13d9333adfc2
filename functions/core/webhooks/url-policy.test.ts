import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../lib/config';
import { retryDelaySeconds } from './deliver';
import { outboundPolicy } from '../../lib/network';
import { webhookUrlRefusal } from './url-policy';

const secrets = { JWT_SECRET: 'j'.repeat(32), ENCRYPTION_KEY: 'e'.repeat(32), QSTASH_CURRENT_SIGNING_KEY: 'c'.repeat(32), QSTASH_NEXT_SIGNING_KEY: 'n'.repeat(32) };
const config = (env: Record<string, string> = {}, runtime: 'local' | 'edge' = 'local') => parseConfig({ ...secrets, APP_URL: 'http://localhost:8787', runtime, ...env });

describe('webhook URL policy', () => {
  const production = outboundPolicy(config());
  const development = outboundPolicy(config({ ALLOW_PRIVATE_URLS: 'true' }));

  it('accepts https on public hosts only', () => {
    expect(webhookUrlRefusal('https://hooks.example.com/versaai?token=abc', production)).toBeNull();
    expect(webhookUrlRefusal('https://93.184.216.34:8443/x', production)).toBeNull();
    for (const url of ['http://hooks.example.com/x', 'https://10.0.0.1/', 'https://169.254.169.254/', 'https://localhost/', 'https://[::1]/', 'https://intranet/', 'ftp://hooks.example.com/', 'https://a:b@hooks.example.com/', 'nope']) {
      expect(webhookUrlRefusal(url, production), url).not.toBeNull();
    }
    expect(webhookUrlRefusal(`https://hooks.example.com/${'x'.repeat(2100)}`, production)).toMatch(/longer/);
  });

  it('ALLOW_PRIVATE_URLS opens loopback and private networks (over http too), never metadata or link-local', () => {
    expect(webhookUrlRefusal('http://127.0.0.1:4000/hook', development)).toBeNull();
    expect(webhookUrlRefusal('http://localhost:4000/hook', development)).toBeNull();
    expect(webhookUrlRefusal('https://[::1]/hook', development)).toBeNull();
    expect(webhookUrlRefusal('http://10.0.0.1/hook', development)).toBeNull();
    expect(webhookUrlRefusal('https://169.254.169.254/', development)).toMatch(/never allowed/);
    expect(webhookUrlRefusal('http://[fe80::1]/', development)).toMatch(/never allowed/);
    expect(webhookUrlRefusal('http://hooks.example.com/x', development)).toMatch(/https/);
    // The old name still opens it on the local runtime; the edge ignores it as before.
    expect(outboundPolicy(config({ WEBHOOKS_ALLOW_LOOPBACK: 'true' }))).toEqual({ allowPrivate: true });
    expect(outboundPolicy(config({ WEBHOOKS_ALLOW_LOOPBACK: 'true' }, 'edge'))).toEqual({ allowPrivate: false });
  });

  it('names the setting in the refusal', () => {
    expect(webhookUrlRefusal('https://10.0.0.1/hook', production)).toBe('10.0.0.1 is a private address. For local development set ALLOW_PRIVATE_URLS=true.');
  });

  it('retries back off exponentially over about a day by default', () => {
    const defaults = config();
    const delays = Array.from({ length: defaults.WEBHOOK_MAX_ATTEMPTS - 1 }, (_, i) => retryDelaySeconds(defaults, i + 1));
    for (let i = 1; i < delays.length; i++) expect(delays[i]).toBeGreaterThan(delays[i - 1] * 3.5);
    const hours = delays.reduce((a, b) => a + b, 0) / 3600;
    expect(hours).toBeGreaterThan(20);
    expect(hours).toBeLessThan(26);
    expect(retryDelaySeconds(config({ WEBHOOK_RETRY_BASE_SECONDS: '0' }), 5)).toBe(0);
  });
});
