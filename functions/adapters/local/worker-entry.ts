/**
 * Where a worker thread's code is: beside this file in the source tree, beside the bundle once
 * built (scripts/build-server.ts bundles each worker as an entry of its own into dist/server).
 */
export function workerEntry(name: string): { url: URL; execArgv?: string[] } {
  const here = import.meta.url;
  if (!here.endsWith('.ts')) return { url: new URL(`./${name}.js`, here) };
  // From source (tests, benchmarks under tsx): the worker needs tsx too, unless it inherits it.
  const inherited = process.execArgv.some((arg) => arg.includes('tsx'));
  return { url: new URL(`./${name}.ts`, here), execArgv: inherited ? undefined : [...process.execArgv.filter(isNodeOption), '--import', 'tsx'] };
}

/**
 * A Worker refuses V8's own flags in its execArgv (`--liftoff-only`, which the test processes run
 * with); they are process-wide, so the thread has them anyway. Node's options pass on.
 */
function isNodeOption(arg: string): boolean {
  return !arg.startsWith('--') || process.allowedNodeEnvironmentFlags.has(arg.split('=', 1)[0]!);
}
