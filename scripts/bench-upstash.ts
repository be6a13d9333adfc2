// A real redis-server behind the edge suite's fake Upstash REST API, for the benches' edge KV path
// (bench-lib.ts startEdgeKv in the bench's process; bench-flows-visitors.ts in a process of its own).
import { spawn } from 'node:child_process';
import { createServer as createTcpServer, type AddressInfo } from 'node:net';
import { startFakeUpstash } from '../tests/edge/fake-upstash';

const TOKEN = 'bench';

function freePort() {
  return new Promise<number>((resolve, reject) => {
    const probe = createTcpServer();
    probe.on('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

export async function startFakeUpstashOnRedis() {
  const port = await freePort();
  const redis = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  const upstash = await startFakeUpstash({ redisPort: port, token: TOKEN });
  for (let i = 0; ; i++) {
    try {
      if ((await upstash.command(['PING'])) === 'PONG') break;
    } catch (error) {
      if (i > 100) throw error;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  return {
    upstash,
    url: upstash.url,
    token: TOKEN,
    async close() {
      await upstash.close();
      redis.kill();
    },
  };
}
