import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Plugin, ResolvedConfig } from 'vite';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { lazyRouterPlugins, type LazyRouterOptions } from './vite-lazy-router';

type Handler = (this: unknown, code: string, id: string) => unknown;

let dir: string;
let loads: number;
let configuredWith: unknown[];

/** Stands for the router's plugins: a constant `config`, a generator-like configResolved, a filtered transform. */
function fakeRouterPlugins(): Plugin[] {
  loads++;
  return [
    { name: 'router:defines', config: () => ({ define: { X: '"false"' } }) },
    {
      name: 'router:generator',
      enforce: 'pre',
      configResolved(config) {
        configuredWith.push(config);
      },
      watchChange() {},
    },
    {
      name: 'router:splitter',
      enforce: 'pre',
      transform: { filter: { id: /tsr-split/ }, handler: (code: string, id: string) => ({ code: `split(${id}):${code}`, map: null }) },
    },
  ];
}

function options(cached: LazyRouterOptions['cached'] = () => undefined): LazyRouterOptions {
  return {
    load: async () => fakeRouterPlugins(),
    cached,
    shapeFile: join(dir, 'cache', 'shape.json'),
    salt: 'v1',
    routesDirectory: join(dir, 'routes'),
    generatedRouteTree: join(dir, 'routeTree.gen.ts'),
  };
}

/** The start's resolved config, compared by identity only. */
const config = { root: '/web' } as unknown as ResolvedConfig;

async function configure(plugins: Plugin[]) {
  await Promise.all(plugins.map((plugin) => (typeof plugin.configResolved === 'function' ? plugin.configResolved.call(undefined as never, config) : undefined)));
}

function transformOf(plugins: Plugin[], name: string) {
  const hook = plugins.find((plugin) => plugin.name === name)!.transform as { filter: unknown; handler: Handler };
  return { filter: hook.filter, run: (code: string, id: string) => hook.handler.call({}, code, id) };
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'versaai-lazy-router-'));
  mkdirSync(join(dir, 'routes', '_app'), { recursive: true });
  writeFileSync(join(dir, 'routes', 'sign-in.tsx'), 'sign in');
  writeFileSync(join(dir, 'routes', '_app', 'index.tsx'), 'home');
  writeFileSync(join(dir, 'routeTree.gen.ts'), 'tree');
  loads = 0;
  configuredWith = [];
});

afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('lazyRouterPlugins: the router plugin loads only when the caches cannot answer', () => {
  it('loads the plugins on a first start and records their shape once they are configured', async () => {
    const plugins = await lazyRouterPlugins(options());
    expect(loads).toBe(1);
    await configure(plugins);
    expect(configuredWith).toEqual([config]);

    const next = await lazyRouterPlugins(options());
    expect(loads).toBe(1);
    expect(next.map((plugin) => [plugin.name, plugin.enforce])).toEqual([
      ['router:defines', undefined],
      ['router:generator', 'pre'],
      ['router:splitter', 'pre'],
    ]);
    const defines = next[0]!.config as () => unknown;
    expect(defines()).toEqual({ define: { X: '"false"' } });
    expect(transformOf(next, 'router:splitter').filter).toEqual({ id: /tsr-split/ });
  });

  it('answers from the cache without loading, and loads (configured as at start) on the first miss', async () => {
    await configure(await lazyRouterPlugins(options()));
    const cached: LazyRouterOptions['cached'] = (name, id, code) => (id.endsWith('hit?tsr-split=component') ? { code: `cached ${name} ${code}` } : undefined);
    const plugins = await lazyRouterPlugins(options(cached));
    await configure(plugins);
    const splitter = transformOf(plugins, 'router:splitter');

    expect(await splitter.run('a', '/r/hit?tsr-split=component')).toEqual({ code: 'cached router:splitter a' });
    expect(loads).toBe(1);
    expect(await splitter.run('b', '/r/miss?tsr-split=component')).toEqual({ code: 'split(/r/miss?tsr-split=component):b', map: null });
    expect(loads).toBe(2);
    // The loaded generator was configured with the start's resolved config, as Vite would have.
    expect(configuredWith).toEqual([config, config]);
    await splitter.run('c', '/r/other?tsr-split=component');
    expect(loads).toBe(2);
  });

  it('loads at once when a route file changed or the generated tree is gone since the shape was recorded', async () => {
    await configure(await lazyRouterPlugins(options()));
    utimesSync(join(dir, 'routes', '_app', 'index.tsx'), new Date(), new Date(Date.now() + 5_000));
    await lazyRouterPlugins(options());
    expect(loads).toBe(2);

    await configure(await lazyRouterPlugins(options()));
    writeFileSync(join(dir, 'routes', '_app', 'new.tsx'), 'new route');
    await lazyRouterPlugins(options());
    expect(loads).toBe(4);

    await configure(await lazyRouterPlugins(options()));
    rmSync(join(dir, 'routeTree.gen.ts'));
    await lazyRouterPlugins(options());
    expect(loads).toBe(6);
  });

  it('loads on a file change, which the loaded plugins then handle', async () => {
    await configure(await lazyRouterPlugins(options()));
    const plugins = await lazyRouterPlugins(options());
    await configure(plugins);
    const generator = plugins.find((plugin) => plugin.name === 'router:generator')!;
    await (generator.watchChange as (this: unknown, id: string, change: { event: 'update' }) => Promise<void>).call({}, join(dir, 'routes', 'sign-in.tsx'), { event: 'update' });
    expect(loads).toBe(2);
  });
});
