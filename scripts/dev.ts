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
// on one core while this process loads the server and opens the database on the other.
import { existsSync, readFileSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const root = resolve(import.meta.dirname, '..');
const bundle = resolve(root, 'node_modules/.cache/versaai/dev-server.js');
const inputsFile = `${bundle}.inputs.json`;
const demo = process.argv.includes('--demo');

process.setSourceMapsEnabled(true);
const say = (line: string) => console.log(`${(performance.now() / 1000).toFixed(1).padStart(5)} s  ${line}`);

const devDashboardModule = await import(pathToFileURL(resolve(root, 'functions/dev-dashboard.ts')).href);
const devDashboard = devDashboardModule.startDevDashboardProcess(devDashboardModule.devDashboardSettings(process.env, root), process.execArgv);
// Until the server awaits it: a failure to start is reported there, not as an unhandled rejection.
devDashboard.catch(() => {});

/** True when the bundle is newer than every source file it was built from (and the lockfile). */
function bundleIsFresh(): boolean {
  if (!existsSync(bundle) || !existsSync(inputsFile)) return false;
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
  mkdirSync(dirname(bundle), { recursive: true });
  const result = await build({ ...serverBundleOptions(bundle), absWorkingDir: root });
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

// The widget builds alongside the start; /widget.js waits for the first build if asked earlier.
const { watchWidget } = await import(pathToFileURL(resolve(root, 'widget/build.ts')).href);
const widget = watchWidget();

const { startServer } = await import(pathToFileURL(bundle).href);
const started = await startServer({ dev: true, devAssets: widget, devDashboard });

if (demo) {
  const { startDemo } = await import(pathToFileURL(resolve(root, 'scripts/demo.ts')).href);
  await startDemo(started);
}
