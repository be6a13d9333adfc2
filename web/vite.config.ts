import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import tailwindcss from '@tailwindcss/vite';
import { tanstackRouter } from '@tanstack/router-plugin/vite';
import react from '@vitejs/plugin-react';
import { defineConfig, type Plugin } from 'vite';

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

const apiTarget = `http://127.0.0.1:${process.env.API_PORT || 8788}`;

export default defineConfig({
  root: webDir,
  plugins: [
    // Must run before the React plugin so route files are code-split first.
    tanstackRouter({
      target: 'react',
      autoCodeSplitting: true,
      routesDirectory: resolve(webDir, 'src/routes'),
      generatedRouteTree: resolve(webDir, 'src/routeTree.gen.ts'),
      quoteStyle: 'single',
    }),
    react(),
    tailwindcss(),
    scalarVendor(),
  ],
  build: {
    outDir: resolve(repoRoot, 'dist/web'),
    emptyOutDir: true,
    // scalar.js is ~3 MB on purpose; everything else stays well under this.
    chunkSizeWarningLimit: 800,
  },
  server: {
    // `npm run dev` transforms the app's entry and what it imports while the server starts, so
    // the first page does not wait for it.
    warmup: { clientFiles: ['./src/main.tsx'] },
    proxy: {
      '/api': { target: apiTarget, changeOrigin: false },
      '/health': { target: apiTarget, changeOrigin: false },
    },
  },
});
