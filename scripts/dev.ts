// `npm run dev`: the local runtime with Vite (hot reload) on one origin; no configuration needed.
// `npm run dev -- --demo` also creates a sample flower shop and serves its page on PORT+1.
//
// Runs under plain Node (type stripping), not tsx: tsx's loader hooks made every module the
// server and Vite import cost ~4x (3.4 s and ~300 MB more at start). So this file imports only
// Node built-ins and loads the rest at run time: the server as one esbuild bundle (rebuilt only
// when a source file changed), the widget watcher, the dashboard's Vite process and the demo
// from their own strippable files.
//
// Vite starts first, in its own process (functions/dev-dashboard.ts): it prepares the dashboard
// on one core while this process loads the server and opens the database on the other. The port
// opens next (functions/early-listener.ts), so the browser loads the dashboard from Vite while the
// server is still loading; its API requests wait for the server.
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { enableCompileCache, flushCompileCache } from 'node:module';
import { dirname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { DevDashboard } from '../functions/dev-dashboard.ts';

const root = resolve(import.meta.dirname, '..');
const cacheDir = resolve(root, 'node_modules/.cache/versaai');
const bundle = resolve(cacheDir, 'server/dev-server.js');
const inputsFile = `${bundle}.inputs.json`;
const demo = process.argv.includes('--demo');
/** How long after the start the widget's first build waits unless /widget.js is asked for first. */
const WIDGET_BUILD_DELAY_MS = 5_000;

// V8's compiled code for the server bundle (6 MB), Vite and the rest is kept on disk: parsing them
// again was most of this process's start. The Vite child inherits it through NODE_COMPILE_CACHE.
process.env.NODE_COMPILE_CACHE = resolve(cacheDir, 'v8');
enableCompileCache(process.env.NODE_COMPILE_CACHE);
process.setSourceMapsEnabled(true);
const say = (line: string) => console.log(`${(performance.now() / 1000).toFixed(1).padStart(5)} s  ${line}`);

const devDashboardModule = await import(pathToFileURL(resolve(root, 'functions/dev-dashboard.ts')).href);
const devDashboard = devDashboardModule.startDevDashboardProcess(devDashboardModule.devDashboardSettings(process.env, root), process.execArgv);
// Until the server awaits it: a failure to start is reported there, not as an unhandled rejection.
devDashboard.catch(() => {});

const { API_PREFIXES, listenAddress, listenEarly, openServerDoor } = await import(pathToFileURL(resolve(root, 'functions/early-listener.ts')).href);
const { port, host, appUrl } = listenAddress(process.env);
const listening = await listenEarly(port, host);
say(`Listening on ${appUrl}; starting (development)…`);
// The server takes the dashboard as ready only once the port is Vite's: a page it holds by then
// is asked again there instead of waiting for this process to pass it on.
const dashboardOnThePort = devDashboard.then(async (dashboard: DevDashboard) => {
  await shareThePortWithVite(dashboard).catch((error) => say(`Vite could not take the port over (${(error as Error).message}); this process passes the dashboard on`));
  return dashboard;
});
dashboardOnThePort.catch(() => {});

/**
 * Once Vite is up, its process takes the port over: this process is busy for seconds loading the
 * server and opening the database, and the dashboard's page and every module of it would
 * otherwise wait for it to pass them on. What is the server's (the API, the widget) comes back
 * here through a loopback door, with the client's address.
 */
async function shareThePortWithVite(dashboard: DevDashboard) {
  if (!dashboard.share) return;
  const [{ dashboardSecurityHeaders }, { WIDGET_PATH }, door] = await Promise.all([
    import(pathToFileURL(resolve(root, 'functions/lib/security-headers.ts')).href),
    import(pathToFileURL(resolve(root, 'widget/build.ts')).href),
    openServerDoor(listening),
  ]);
  await dashboard.share(listening.sockets, { serverPort: door.port, headers: dashboardSecurityHeaders({ dev: true }), serverPaths: [...API_PREFIXES, WIDGET_PATH] });
  listening.handOver();
}

/** True when the bundle is newer than every source file it was built from (and the lockfile). */
function bundleIsFresh(): boolean {
  if (!existsSync(bundle) || !existsSync(inputsFile) || !existsSync(resolve(dirname(bundle), 'package.json'))) return false;
  const builtAt = statSync(bundle).mtimeMs;
  const inputs = JSON.parse(readFileSync(inputsFile, 'utf8')) as string[];
  return [...inputs, 'package-lock.json'].every((file) => {
    const path = resolve(root, file);
    return existsSync(path) && statSync(path).mtimeMs < builtAt;
  });
}

async function buildDevBundle() {
  const { serverBundleOptions } = await import(pathToFileURL(resolve(root, 'scripts/build-server.ts')).href);
  const { build } = await import('esbuild');
  // The bundle is split into chunks with hashed names: none of an older build may linger.
  rmSync(dirname(bundle), { recursive: true, force: true });
  mkdirSync(dirname(bundle), { recursive: true });
  // Outside any package.json's scope (node_modules stops the lookup), Node would parse each chunk
  // once more only to tell whether it is CommonJS or ESM.
  writeFileSync(resolve(dirname(bundle), 'package.json'), '{ "type": "module" }\n');
  // Source maps without the sources' text: stack traces still point into functions/, and Node
  // reads and parses every map as it loads the bundle (12 MB of maps with the text, 4 without).
  const result = await build({ ...serverBundleOptions(bundle), sourcesContent: false, absWorkingDir: root });
  const sources = Object.keys(result.metafile?.inputs ?? {}).filter((file) => !file.includes('node_modules/'));
  writeFileSync(inputsFile, JSON.stringify(sources));
}

if (bundleIsFresh()) {
  say('Server bundle is up to date');
} else {
  say('Bundling the server…');
  await buildDevBundle();
  say('Server bundled');
}

// The widget builds on the first request for /widget.js, or a little after the start: esbuild
// would otherwise take a core while the dashboard's first page loads.
const { watchWidget } = await import(pathToFileURL(resolve(root, 'widget/build.ts')).href);
const widget = watchWidget();

const { startServer } = await import(pathToFileURL(bundle).href);
const started = await startServer({ dev: true, devAssets: widget, devDashboard: dashboardOnThePort, listening });
setTimeout(() => widget.start(), WIDGET_BUILD_DELAY_MS).unref();
// Written now rather than at exit: a start that is killed still leaves the next one its cache.
flushCompileCache();

if (demo) {
  const { startDemo } = await import(pathToFileURL(resolve(root, 'scripts/demo.ts')).href);
  await startDemo(started);
}
