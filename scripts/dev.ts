// `npm run dev`: the local runtime with Vite (hot reload) on one origin; no configuration needed.
import { startServer } from '../functions/server';

await startServer({ dev: true });
