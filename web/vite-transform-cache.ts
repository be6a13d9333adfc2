import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Plugin } from 'vite';

type TransformResult = { code: string; map?: unknown };
type TransformHandler = (this: unknown, code: string, id: string) => unknown;

const REFERENCE = 'tanstack-router:code-splitter:compile-reference-file';
/** Transforms of a route's split parts (`?tsr-split=…`, `?tsr-shared=…`). */
const SPLIT_PARTS = new Set(['tanstack-router:code-splitter:compile-virtual-file', 'tanstack-router:code-splitter:compile-shared-file']);

function isTransformResult(result: unknown): result is TransformResult {
  return !!result && typeof result === 'object' && typeof (result as TransformResult).code === 'string';
}

function handlerOf(plugin: Plugin): TransformHandler | undefined {
  const hook = plugin.transform;
  return hook && typeof hook === 'object' && typeof hook.handler === 'function' ? (hook.handler as TransformHandler) : undefined;
}

function withHandler(plugin: Plugin, handler: TransformHandler): Plugin {
  return { ...plugin, transform: { ...(plugin.transform as object), handler } } as Plugin;
}

/** One JSON file per transform result, named by a hash of everything the result depends on. */
function diskCache(directory: string, salt: string) {
  mkdirSync(directory, { recursive: true });
  const fileFor = (name: string, id: string, code: string) =>
    join(directory, `${createHash('sha256').update(`${salt}\0${name}\0${id}\0${code}`).digest('hex')}.json`);
  return {
    read(file: string): TransformResult | undefined {
      try {
        return JSON.parse(readFileSync(file, 'utf8')) as TransformResult;
      } catch {
        return undefined; // not cached yet
      }
    },
    write(file: string, result: TransformResult) {
      // Written aside and renamed, so a run stopped midway never leaves half a file to read.
      const partial = `${file}.${process.pid}.tmp`;
      writeFileSync(partial, JSON.stringify({ code: result.code, map: result.map ?? null }));
      renameSync(partial, file);
    },
    fileFor,
  };
}

/** Reads cacheRouteSplitting's results without running anything: a transform's result, or undefined. */
export function cachedRouteSplit(directory: string, salt: string) {
  const cache = diskCache(directory, salt);
  return (name: string, id: string, code: string) => cache.read(cache.fileFor(name, id, code));
}

/**
 * Keeps the router's code-splitting results on disk across `npm run dev` runs. The splitter
 * parses, walks and prints every route file with Babel (the routes' reference parts all load
 * before the sign-in page renders): the largest share of the dashboard's first load under Vite,
 * while its output only changes with the file, the plugin version and its options (`salt`).
 *
 * One catch: for a route whose split parts share module-level bindings, the reference transform
 * records them in the plugin's memory and the split parts' transforms read them there. So when a
 * split part is not cached, the route's reference transform runs first in this process (its
 * result then unused) to fill that memory in, as it would have without the cache.
 */
export function cacheRouteSplitting(plugins: Plugin[], directory: string, salt: string): Plugin[] {
  const cache = diskCache(directory, salt);
  const reference = plugins.find((plugin) => plugin.name === REFERENCE);
  const computeReference = reference && handlerOf(reference);
  if (!computeReference) return plugins;
  const referencesRun = new Set<string>();

  const cached = (name: string, compute: TransformHandler, beforeCompute: (self: unknown, id: string) => Promise<void>): TransformHandler =>
    async function (this: unknown, code, id) {
      const file = cache.fileFor(name, id, code);
      const hit = cache.read(file);
      if (hit) return hit;
      await beforeCompute(this, id);
      const result = await compute.call(this, code, id);
      if (isTransformResult(result)) cache.write(file, result);
      return result;
    };

  const runReferenceOnce = async (self: unknown, id: string) => {
    const route = id.split('?')[0];
    if (referencesRun.has(route)) return;
    referencesRun.add(route);
    await computeReference.call(self, readFileSync(route, 'utf8'), route);
  };

  return plugins.map((plugin) => {
    const compute = handlerOf(plugin);
    if (!compute) return plugin;
    if (plugin === reference) {
      return withHandler(plugin, cached(plugin.name, compute, async (_self, id) => void referencesRun.add(id)));
    }
    if (SPLIT_PARTS.has(plugin.name)) return withHandler(plugin, cached(plugin.name, compute, runReferenceOnce));
    return plugin;
  });
}
