import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import tailwindcss from '@tailwindcss/vite';
import react from '@vitejs/plugin-react';
import { defineConfig, type Plugin } from 'vite';
import { dashboardHeadersFile } from '../functions/lib/security-headers';
import { depsWithoutInlineSourceMaps, persistRouteGeneratorCache } from './vite-dev-speed';
import { lazyRouterPlugins } from './vite-lazy-router';
import { cacheRouteSplitting, cachedRouteSplit } from './vite-transform-cache';

const webDir = dirname(fileURLToPath(import.meta.url));
const repoRoot = resolve(webDir, '..');

/**
 * The API's /api/docs page loads the Scalar reference from /vendor/scalar.js because there is
 * no CDN offline: serve it from node_modules in dev and emit it into the build.
 */
function scalarVendor(): Plugin {
  const publicPath = '/vendor/scalar.js';
  const source = () => {
    // The package's `exports` hide this file from require.resolve, so read it by path.
    return readFileSync(resolve(repoRoot, 'node_modules/@scalar/api-reference/dist/browser/standalone.js'));
  };
  return {
    name: 'versaai:scalar-vendor',
    configureServer(server) {
      server.middlewares.use(publicPath, (_req, res) => {
        res.setHeader('Content-Type', 'text/javascript; charset=utf-8');
        res.end(source());
      });
    },
    generateBundle() {
      this.emitFile({ type: 'asset', fileName: 'vendor/scalar.js', source: source() });
    },
  };
}

/** Workers static assets read `_headers`: the same CSP and framing headers the Node server sends. */
function securityHeadersFile(): Plugin {
  return {
    name: 'versaai:security-headers',
    apply: 'build',
    generateBundle() {
      this.emitFile({ type: 'asset', fileName: '_headers', source: dashboardHeadersFile() });
    },
  };
}

const apiTarget = `http://127.0.0.1:${process.env.API_PORT || 8788}`;

const routerOptions = {
  target: 'react',
  autoCodeSplitting: true,
  routesDirectory: resolve(webDir, 'src/routes'),
  generatedRouteTree: resolve(webDir, 'src/routeTree.gen.ts'),
  quoteStyle: 'single',
  // Prettier took ~0.3 s of every start to format a generated file nobody edits.
  enableRouteTreeFormatting: false,
} as const;

/**
 * The router plugin; under the dev server its route generation and code splitting are cached
 * across runs, and the plugin itself loads only when those caches cannot answer.
 */
async function router(command: 'build' | 'serve'): Promise<Plugin[]> {
  const load = () => import('@tanstack/router-plugin/vite').then(({ tanstackRouter }) => tanstackRouter);
  if (command !== 'serve') return [(await load())(routerOptions)].flat() as Plugin[];
  const version = (JSON.parse(readFileSync(resolve(repoRoot, 'node_modules/@tanstack/router-plugin/package.json'), 'utf8')) as { version: string }).version;
  const salt = `${version}\0${JSON.stringify(routerOptions)}`;
  const cacheDir = resolve(repoRoot, 'node_modules/.cache/versaai');
  const splitCache = resolve(cacheDir, 'route-split');
  return lazyRouterPlugins({
    async load() {
      const tanstackRouter = await load();
      const plugins = [tanstackRouter({ ...routerOptions, plugins: [persistRouteGeneratorCache(resolve(cacheDir, 'route-generator.json'), salt)] })].flat() as Plugin[];
      return cacheRouteSplitting(plugins, splitCache, salt);
    },
    cached: cachedRouteSplit(splitCache, salt),
    shapeFile: resolve(cacheDir, 'router-plugin-shape.json'),
    salt,
    routesDirectory: routerOptions.routesDirectory,
    generatedRouteTree: routerOptions.generatedRouteTree,
  });
}

export default defineConfig(({ command }) => ({
  root: webDir,
  plugins: [
    // Must run before the React plugin so route files are code-split first.
    router(command),
    react(),
    tailwindcss(),
    scalarVendor(),
    securityHeadersFile(),
    depsWithoutInlineSourceMaps(),
  ],
  build: {
    outDir: resolve(repoRoot, 'dist/web'),
    emptyOutDir: true,
    // scalar.js is ~3 MB on purpose; everything else stays well under this.
    chunkSizeWarningLimit: 800,
  },
  server: {
    // The dev server serves files by absolute path (/@fs/...): only the dashboard's sources, the
    // widget sources it imports and node_modules, and never secrets or the database, even there.
    fs: {
      strict: true,
      allow: [webDir, resolve(repoRoot, 'widget/src'), resolve(repoRoot, 'node_modules')],
      deny: [
        '.env',
        '.env.*',
        '.dev.vars',
        '.dev.vars.*',
        '*.{crt,pem,key,p12,pfx,cer,der}',
        '.npmrc',
        '**/.git/**',
        '**/.data/**',
        '**/.wrangler/**',
        'secrets.json',
      ],
    },
    // `npm run dev` transforms the app's entry and what it imports while the server starts, so
    // the first page does not wait for it.
    warmup: { clientFiles: ['./src/main.tsx'] },
    proxy: {
      '/api': { target: apiTarget, changeOrigin: false },
      '/health': { target: apiTarget, changeOrigin: false },
    },
  },
}));
