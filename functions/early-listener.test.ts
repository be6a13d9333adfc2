import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { listenAddress, listenEarly } from './early-listener';

describe('listenEarly: the port opens before the server has loaded', () => {
  it('holds the requests that come before the take-over and hands them all over', async () => {
    const early = await listenEarly(0, '127.0.0.1');
    const base = `http://127.0.0.1:${(early.server.address() as AddressInfo).port}`;
    try {
      const first = fetch(`${base}/first`);
      const second = fetch(`${base}/second`);
      // Both requests have reached the server (held) before anyone answers.
      await expect.poll(async () => (await new Promise<number>((done, fail) => early.server.getConnections((error, count) => (error ? fail(error) : done(count)))))).toBe(2);
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
      early.server.closeAllConnections();
      await new Promise((done) => early.server.close(done));
    }
  });

  it('reads the address from the variables startServer reads', () => {
    expect(listenAddress({})).toEqual({ port: 8787, host: '127.0.0.1', appUrl: 'http://localhost:8787' });
    expect(listenAddress({ PORT: '4100', HOST: '0.0.0.0', APP_URL: 'https://bot.example' })).toEqual({ port: 4100, host: '0.0.0.0', appUrl: 'https://bot.example' });
  });
});
