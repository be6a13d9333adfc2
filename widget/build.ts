/**
 * `npm run build:widget`: bundles widget/src into dist/web/widget.js, one minified IIFE that any
 * site can load with a script tag. Runs after the Vite build, which empties dist/web.
 * `watchWidget` is the `npm run dev` variant: rebuilt in memory on every change and served by the
 * dev server. No local imports, so plain Node (type stripping) can load this file as well as tsx.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BuildOptions } from 'esbuild';

const root = resolve(import.meta.dirname, '..');
export const WIDGET_OUTFILE = resolve(root, 'dist/web/widget.js');
export const WIDGET_PATH = '/widget.js';

const widgetOptions = {
  entryPoints: [resolve(root, 'widget/src/index.ts')],
  bundle: true,
  format: 'iife',
  // ES2019: every browser still in use (Safari 12.1+, Chrome 73+, Firefox 67+) runs it unchanged.
  target: 'es2019',
  legalComments: 'none',
  // Plain assignments instead of defineProperty helpers for class fields: smaller output.
  tsconfigRaw: { compilerOptions: { useDefineForClassFields: false } },
  logLevel: 'warning',
} satisfies BuildOptions;

/** What every customer site downloads, gzipped: the budget from issue 4 (checked by `npm test`). */
export const WIDGET_GZIP_BUDGET_BYTES = 12 * 1024;

export async function buildWidget() {
  const { build } = await import('esbuild');
  await build({ ...widgetOptions, outfile: WIDGET_OUTFILE, minify: true });
}

/** The production bundle in memory, byte for byte what `buildWidget` writes (for the size test). */
export async function bundleWidget(): Promise<Uint8Array> {
  const { build } = await import('esbuild');
  const result = await build({ ...widgetOptions, outfile: WIDGET_OUTFILE, minify: true, write: false });
  return result.outputFiles[0].contents;
}

export interface WidgetDevServer {
  /** Answers GET/HEAD /widget.js with the latest build; false for any other request. */
  handle(req: IncomingMessage, res: ServerResponse): boolean;
  /** Starts building and watching now instead of on the first request for /widget.js. */
  start(): void;
  close(): Promise<void>;
}

/**
 * Builds the widget into memory and rebuilds it whenever a file under widget/src changes, so the
 * snippet from the Install tab works under `npm run dev` on any page. Unminified, with an inline
 * source map: it is for debugging, not for the size budget. Nothing runs until the first request
 * or `start()`: `npm run dev` keeps esbuild off the cores while the dashboard starts.
 */
export function watchWidget(): WidgetDevServer {
  let started: ReturnType<typeof startWatching> | null = null;
  const start = () => {
    if (started) return started;
    started = startWatching();
    started.catch((error) => console.error('[widget]', error));
    return started;
  };
  return {
    handle(req, res) {
      const path = (req.url ?? '/').split('?')[0];
      if (path !== WIDGET_PATH || (req.method !== 'GET' && req.method !== 'HEAD')) return false;
      void start().then((widget) => widget.serve(req, res), (error) => res.writeHead(500, { 'content-type': 'text/plain' }).end(String(error)));
      return true;
    },
    start: () => void start(),
    close: async () => (await started?.catch(() => null))?.close(),
  };
}

async function startWatching() {
  const { context } = await import('esbuild');
  let code: Uint8Array | null = null;
  let failure: string | null = null;
  let built: () => void = () => {};
  const firstBuild = new Promise<void>((done) => (built = done));
  const ctx = await context({
    ...widgetOptions,
    outfile: WIDGET_OUTFILE,
    write: false,
    sourcemap: 'inline',
    plugins: [
      {
        name: 'versaai:widget-in-memory',
        setup(build) {
          build.onEnd((result) => {
            if (result.errors.length > 0) {
              failure = result.errors.map((e) => `${e.location?.file ?? ''}:${e.location?.line ?? ''} ${e.text}`).join('\n');
              return;
            }
            failure = null;
            code = result.outputFiles?.find((f) => f.path.endsWith('.js'))?.contents ?? null;
          });
          build.onEnd(() => built());
        },
      },
    ],
  });
  // Watch mode starts with a full build.
  await ctx.watch();
  await firstBuild;
  return {
    serve(req: IncomingMessage, res: ServerResponse) {
      // A failed rebuild answers with a script that says why in the page's console.
      const body = failure === null && code ? code : new TextEncoder().encode(`console.error(${JSON.stringify(`VersaAI widget build failed:\n${failure}`)});`);
      res.writeHead(failure === null ? 200 : 500, {
        'content-type': 'text/javascript; charset=utf-8',
        'content-length': String(body.byteLength),
        'cache-control': 'no-cache',
        'x-content-type-options': 'nosniff',
      });
      res.end(req.method === 'HEAD' ? undefined : body);
    },
    close: () => ctx.dispose(),
  };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await buildWidget();
  console.log(`built ${WIDGET_OUTFILE}`);
}
