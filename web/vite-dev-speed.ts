import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import type { ConfigInput } from '@tanstack/router-plugin';
import type { Plugin } from 'vite';

/**
 * Serves the pre-bundled dependencies (node_modules/.vite/deps) without their source maps inlined.
 *
 * By default Vite reads each dependency's .map file, walks it, and appends it base64-encoded to
 * every response: React DOM alone went out as 3.1 MB instead of 0.9 MB, ~4.5 MB of maps on the
 * first page, encoded by Vite, piped through the server and read by the browser before the
 * dashboard could show. Each file points to its map instead (`//# sourceMappingURL=<name>.js.map`,
 * which Vite answers with node_modules on the ignore list), so the browser's developer tools still
 * map into the libraries, fetching a map only when they are open.
 */
export function depsWithoutInlineSourceMaps(): Plugin {
  return {
    name: 'versaai:deps-without-inline-source-maps',
    apply: 'serve',
    transform: {
      filter: { id: /\/node_modules\/\.vite\/deps\// },
      handler(code, id) {
        const environment = this.environment;
        if (environment.mode !== 'dev' || !environment.depsOptimizer?.isOptimizedDepFile(id)) return null;
        // An empty `mappings` (no `version`) is the "no source map" result: Vite then sends the
        // code as it is instead of appending the map. A comment at the end moves no code.
        return { code: `${code}\n//# sourceMappingURL=${basename(id.split('?')[0]!)}.map\n`, map: { mappings: '' } };
      },
    },
  };
}

/** What the route generator keeps per route file between its runs (router-generator's cache entry). */
interface RouteNodeCacheEntry {
  fileContent: string;
  /** A bigint from the generator (it stats with `bigint: true`); a string on disk. */
  mtimeMs: bigint | string;
  routeId: string;
  node: Record<string, unknown>;
}

/** The generator's members this relies on; checked at run time, so a changed generator only loses the cache. */
interface GeneratorInternals {
  routeNodeCache: Map<string, RouteNodeCacheEntry>;
  run(event?: unknown): Promise<void>;
}

type GeneratorPlugin = NonNullable<ConfigInput['plugins']>[number];

/** A route node without its links to other nodes (the generator sets them again on every run). */
function storableNode(node: Record<string, unknown>) {
  const { parent: _parent, children: _children, createFileRouteProps, ...rest } = node;
  return createFileRouteProps instanceof Set ? { ...rest, createFileRouteProps: [...createFileRouteProps] } : rest;
}

function revivedNode(node: Record<string, unknown>) {
  return Array.isArray(node.createFileRouteProps) ? { ...node, createFileRouteProps: new Set(node.createFileRouteProps) } : node;
}

function readSavedEntries(file: string, salt: string): [string, RouteNodeCacheEntry][] {
  try {
    const saved = JSON.parse(readFileSync(file, 'utf8')) as { salt: string; entries: [string, RouteNodeCacheEntry][] };
    return saved.salt === salt ? saved.entries : [];
  } catch {
    return []; // first run, or a file from an interrupted write
  }
}

/**
 * Keeps the route generator's per-file results on disk across `npm run dev` runs. On every start
 * the generator parses each route file with Babel to check its `createFileRoute('/path')` (~0.4 s
 * of CPU before Vite is ready, for files that rarely change); in one process it skips a file whose
 * modification time is unchanged, and this gives a new process the same memory. A changed or new
 * file has another modification time, so it is parsed as before; the route tree is still rebuilt
 * from the nodes on every start and written only if it differs.
 */
export function persistRouteGeneratorCache(file: string, salt: string): GeneratorPlugin {
  return {
    name: 'versaai:persist-route-generator-cache',
    init({ generator }) {
      const internals = generator as unknown as Partial<GeneratorInternals>;
      const cache = internals.routeNodeCache;
      const run = internals.run?.bind(generator);
      if (!(cache instanceof Map) || cache.size > 0 || !run) return;
      const saved = readSavedEntries(file, salt);
      for (const [path, entry] of saved) cache.set(path, { ...entry, mtimeMs: BigInt(entry.mtimeMs), node: revivedNode(entry.node) });
      const signatureOf = (entries: (readonly [string, RouteNodeCacheEntry])[]) => entries.map(([path, entry]) => `${path}\0${entry.mtimeMs}`).join('\n');
      let savedSignature = signatureOf(saved);
      internals.run = async (event) => {
        await run(event);
        // After a run the generator's cache holds every route file's entry, fresh or reparsed.
        const entries = [...(generator as unknown as GeneratorInternals).routeNodeCache].map(
          ([path, entry]) => [path, { ...entry, mtimeMs: String(entry.mtimeMs), node: storableNode(entry.node) }] as const,
        );
        const signature = signatureOf(entries);
        if (signature === savedSignature) return;
        savedSignature = signature;
        try {
          mkdirSync(dirname(file), { recursive: true });
          // Written aside and renamed, so a start stopped midway never leaves half a file to read.
          const partial = `${file}.${process.pid}.tmp`;
          writeFileSync(partial, JSON.stringify({ salt, entries }));
          renameSync(partial, file);
        } catch (error) {
          // Only the next start's head start is lost.
          console.warn(`Could not save the route generator's cache: ${(error as Error).message}`);
        }
      };
    },
  };
}
