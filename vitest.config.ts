import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';
import { productNode } from './scripts/product-node';

// Unit and integration tests: real HTTP against the Hono app on the local runtime (PGlite).
// The edge suite (workerd) and the browser suite (Playwright) have their own configs.
export default defineConfig({
  test: {
    include: ['functions/**/*.test.ts', 'db/**/*.test.ts', 'widget/**/*.test.ts', 'web/src/lib/**/*.test.ts', 'web/*.test.ts'],
    // Generous: on a 2-core machine shared with other work a test can take several times its usual
    // time; a limit, never an assertion on speed.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // PGlite's WebAssembly on the compiler tier npm start gives it (package.json's --liftoff-only,
    // read by scripts/product-node.ts), so the database under test is the one users run. (Set at
    // V8's start: v8.setFlagsFromString in a setup file has no effect on it.) With the optimizing
    // tier, a fork that had started and closed several databases once died in V8 itself, freeing
    // wasm code ("Check failed: jit_page_->allocations_.erase(addr) == 1"). The heap flags stay
    // out: the tests' own memory is not the product's.
    execArgv: productNode().flags.filter((flag) => flag.startsWith('--liftoff')),
    // Test files share their worker's module graph (the app is imported once per worker, not once
    // per file: imports were most of the suite's time). Each file still builds its own runtime and
    // database, and no test mocks modules or timers; spies restore themselves.
    isolate: false,
    restoreMocks: true,
    // Vitest's default is one worker fewer than cores: a single worker on a 2-core machine. Test
    // files mostly wait on sockets, timers and PGlite, so two share two cores well.
    maxWorkers: Math.max(2, availableParallelism() - 1),
    // One migrated database per run; every in-memory database starts from a copy of it.
    globalSetup: ['functions/testing/global-setup.ts'],
    // The usual output, then the ten slowest files and tests (where the suite's time goes).
    reporters: ['default', './functions/testing/slowest-reporter.ts'],
  },
});
