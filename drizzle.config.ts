import { defineConfig } from 'drizzle-kit';

// `npm run db:generate` writes SQL migrations from db/schema; `npm run db:migrate` applies them to
// DATABASE_URL (Neon in production). The local runtime applies the same files itself at start.
export default defineConfig({
  dialect: 'postgresql',
  schema: './db/schema/index.ts',
  out: './db/migrations',
  casing: 'snake_case',
  dbCredentials: { url: process.env.DATABASE_URL ?? 'postgres://localhost:5432/versaai' },
});
