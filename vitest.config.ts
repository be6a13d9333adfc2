import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

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
