// How `npm start` runs Node (package.json's `start`): its V8 flags (`--liftoff-only`, a smaller
// young generation) and environment (`MALLOC_ARENA_MAX`). A bench that runs the server under other
// flags measures a server nobody runs: with V8's optimizing tier, PGlite runs a full-text statement
// about 30% faster (a light insert-and-read 5%) than on the baseline compiler `npm start` keeps it
// on (three processes side by side on this machine), and `bench:api`'s p50 was 18.6–19.4 ms
// against 21–25 ms.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export interface ProductNode {
  flags: string[];
  env: Record<string, string>;
}

/** `VAR=value ... node --flag ... entry.js` in package.json's `start`, read each time so it cannot drift. */
export function productNode(): ProductNode {
  const pkg = JSON.parse(readFileSync(fileURLToPath(new URL('../package.json', import.meta.url)), 'utf8')) as { scripts: Record<string, string> };
  const words = pkg.scripts.start!.trim().split(/\s+/);
  const node = words.indexOf('node');
  if (node < 0) throw new Error(`package.json's start does not run node: ${pkg.scripts.start}`);
  const env = Object.fromEntries(words.slice(0, node).map((word) => word.split('=', 2) as [string, string]));
  return { flags: words.slice(node + 1).filter((word) => word.startsWith('--')), env };
}

/**
 * Runs the calling script again as `npm start` runs Node, unless this process already is; resolves
 * with whether this process should go on (false: the rerun did the work, and its exit code is set).
 */
export async function runAsTheProductRuns(scriptUrl: string): Promise<boolean> {
  const { flags, env } = productNode();
  const missing = flags.filter((flag) => !process.execArgv.includes(flag));
  const envMissing = Object.entries(env).some(([name, value]) => process.env[name] !== value);
  if (missing.length === 0 && !envMissing) {
    console.log(`server runtime: node ${flags.join(' ')} with ${Object.entries(env).map(([k, v]) => `${k}=${v}`).join(' ')} (as npm start runs it)`);
    return true;
  }
  const child = spawn(process.execPath, [...flags, '--import', 'tsx', fileURLToPath(scriptUrl), ...process.argv.slice(2)], {
    env: { ...process.env, ...env },
    stdio: 'inherit',
  });
  // The rerun owns the terminal; an interrupt reaches it through the process group.
  process.exitCode = await new Promise<number>((resolve) => child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0))));
  return false;
}
