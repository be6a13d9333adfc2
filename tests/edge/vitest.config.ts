import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// The edge proof: the Worker in workerd (`wrangler dev`) against real Postgres 15 and Redis behind
// the same protocols as Neon and Upstash. `npm run test:edge`. EDGE_DEBUG=1 streams process logs.
export default defineConfig({
  test: {
    root: fileURLToPath(new URL('../..', import.meta.url)),
    include: ['tests/edge/**/*.test.ts'],
    globalSetup: ['tests/edge/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 180_000,
    pool: 'forks',
  },
});
