import { mkdirSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Plugin, ResolvedConfig } from 'vite';

/**
 * What a later start needs to stand in for one of the router's Vite plugins without loading it:
 * its name, order, transform filter (which modules it takes) and its `config` hook's answer.
 */
interface PluginShape {
  name: string;
  enforce?: 'pre' | 'post';
  transformFilter?: unknown;
  configResult?: unknown;
}

interface SavedShapes {
  salt: string;
  /** The route files and the generated tree as the generator left them (see routesSignature). */
  routes: string;
  plugins: PluginShape[];
}

/** Hooks a stand-in reproduces; `buildStart` is unplugin's own bookkeeping, the rest other bundlers'. */
const STANDS_IN_FOR = new Set(['name', 'enforce', 'config', 'configResolved', 'transform', 'watchChange', 'buildStart', 'applyToEnvironment', 'vite', 'rspack', 'webpack', 'esbuild']);

type Hook = (this: unknown, ...args: unknown[]) => unknown;

function hookOf(plugin: Plugin, name: keyof Plugin): Hook | undefined {
  const hook = plugin[name] as unknown;
  if (typeof hook === 'function') return hook as Hook;
  if (hook && typeof hook === 'object' && typeof (hook as { handler?: unknown }).handler === 'function') return (hook as { handler: Hook }).handler;
  return undefined;
}

/** JSON with regular expressions (the transform filters hold them). */
const toJson = (value: unknown) => JSON.stringify(value, (_key, v: unknown) => (v instanceof RegExp ? { $regexp: v.source, flags: v.flags } : v));
type StoredRegExp = { $regexp: string; flags: string };
const fromJson = (text: string) =>
  JSON.parse(text, (_key, v: unknown) => (v && typeof v === 'object' && '$regexp' in v ? new RegExp((v as StoredRegExp).$regexp, (v as StoredRegExp).flags) : v));

/** Every route file's path and modification time, and the generated tree's: what the generator's output depends on. */
export function routesSignature(routesDirectory: string, generatedRouteTree: string): string {
  const files = (readdirSync(routesDirectory, { recursive: true, withFileTypes: true }) as import('node:fs').Dirent[])
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name))
    .sort();
  return [...files, generatedRouteTree].map((file) => `${file}\0${statSync(file, { throwIfNoEntry: false })?.mtimeMs ?? 'missing'}`).join('\n');
}

function readShapes(file: string, salt: string): SavedShapes | undefined {
  try {
    const saved = fromJson(readFileSync(file, 'utf8')) as SavedShapes;
    return saved.salt === salt ? saved : undefined;
  } catch {
    return undefined; // first start, or a file from an interrupted write
  }
}

function writeShapes(file: string, shapes: SavedShapes) {
  try {
    mkdirSync(dirname(file), { recursive: true });
    // Written aside and renamed, so a start stopped midway never leaves half a file to read.
    const partial = `${file}.${process.pid}.tmp`;
    writeFileSync(partial, toJson(shapes));
    renameSync(partial, file);
  } catch (error) {
    console.warn(`Could not save the router plugin's shape: ${(error as Error).message}`);
  }
}

function shapeOf(plugin: Plugin): PluginShape | undefined {
  if (Object.keys(plugin).some((key) => !STANDS_IN_FOR.has(key))) return undefined;
  const transform = plugin.transform;
  const config = hookOf(plugin, 'config');
  return {
    name: plugin.name,
    enforce: plugin.enforce,
    transformFilter: transform && typeof transform === 'object' ? transform.filter : undefined,
    // The router's `config` hook answers constants (its CSS defines); a stand-in answers the same.
    configResult: config ? config.call(undefined, {}, { command: 'serve', mode: 'development' }) : undefined,
  };
}

export interface LazyRouterOptions {
  /** The router's plugins, ready to use (with the start's caches around them). */
  load: () => Promise<Plugin[]>;
  /** Answers a transform from the disk cache without the plugin (cacheRouteSplitting's cache), or undefined. */
  cached: (name: string, id: string, code: string) => { code: string; map?: unknown } | undefined;
  shapeFile: string;
  salt: string;
  routesDirectory: string;
  generatedRouteTree: string;
}

/**
 * The TanStack router's plugins under the dev server, loaded only when needed. Importing them
 * (Babel, zod, the generator) took ~0.4 s of CPU of every start before Vite was ready, while on a
 * start where no route file changed they do nothing the caches cannot answer: the route tree is
 * already generated and every split is on disk. So when the route files are as the last start left
 * them, stand-ins with the plugins' recorded names, order and filters take their place; the real
 * plugins load on the first transform the cache cannot answer or the first file change, and are
 * then configured as Vite would have. Otherwise (a route file changed, another plugin version) they
 * load at once as before, and their shape is recorded for the next start.
 */
export async function lazyRouterPlugins(options: LazyRouterOptions): Promise<Plugin[]> {
  const saved = readShapes(options.shapeFile, options.salt);
  if (saved && saved.routes === routesSignature(options.routesDirectory, options.generatedRouteTree)) return standIns(saved.plugins, options);
  return recordingShapes(await options.load(), options);
}

/** The real plugins; their shape and the route files are recorded once the generator has run. */
function recordingShapes(plugins: Plugin[], options: LazyRouterOptions): Plugin[] {
  const shapes = plugins.map(shapeOf);
  if (shapes.some((shape) => shape === undefined)) return plugins; // a hook no stand-in reproduces: always load
  const record = () =>
    writeShapes(options.shapeFile, { salt: options.salt, routes: routesSignature(options.routesDirectory, options.generatedRouteTree), plugins: shapes as PluginShape[] });
  // Vite runs the configResolved hooks side by side; the generator writes the route tree in its own.
  let configuring = plugins.filter((plugin) => hookOf(plugin, 'configResolved')).length;
  return plugins.map((plugin) => {
    const configResolved = hookOf(plugin, 'configResolved');
    if (!configResolved) return plugin;
    return {
      ...plugin,
      async configResolved(config: ResolvedConfig) {
        await configResolved.call(this, config);
        if (--configuring === 0) record();
      },
    } as Plugin;
  });
}

function standIns(shapes: PluginShape[], options: LazyRouterOptions): Plugin[] {
  let resolved: ResolvedConfig | undefined;
  let loading: Promise<Map<string, Plugin>> | undefined;
  const real = () =>
    (loading ??= options.load().then(async (plugins) => {
      // Configured as Vite configures plugins at start: the generator reads the routes here.
      await Promise.all(plugins.map((plugin) => hookOf(plugin, 'configResolved')?.call(undefined, resolved)));
      return new Map(plugins.map((plugin) => [plugin.name, plugin]));
    }));
  return shapes.map((shape) => {
    const standIn: Plugin = { name: shape.name, enforce: shape.enforce };
    if (shape.configResult !== undefined) standIn.config = () => shape.configResult as ReturnType<NonNullable<Extract<Plugin['config'], Hook>>>;
    if (shape.transformFilter !== undefined) {
      standIn.transform = {
        filter: shape.transformFilter as never,
        async handler(code, id) {
          const hit = options.cached(shape.name, id, code);
          if (hit) return hit as { code: string; map: null };
          const plugin = (await real()).get(shape.name);
          return plugin ? (hookOf(plugin, 'transform')?.call(this, code, id) as never) : null;
        },
      };
    }
    return {
      ...standIn,
      configResolved(config) {
        resolved = config;
      },
      async watchChange(id, change) {
        const plugin = (await real()).get(shape.name);
        await hookOf(plugin ?? standIn, 'watchChange')?.call(this, id, change);
      },
    } satisfies Plugin;
  });
}
