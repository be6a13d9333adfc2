// The edge suite's fake Upstash REST API on a real redis-server, in a process of its own (forked
// by bench-flows.ts): Upstash is a service on other machines, so its HTTP handling shares no event
// loop with the visitors' clients (whose SSE reading delayed it when messages overlapped) or with
// the server under test. Sends `{ url, token }` when ready; any message after that closes it.
import { startFakeUpstashOnRedis } from './bench-upstash';

const upstash = await startFakeUpstashOnRedis();
process.send!({ url: upstash.url, token: upstash.token });
process.once('message', () => void upstash.close().finally(() => process.exit(0)));
