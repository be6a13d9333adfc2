import { DiscordGatewayConnection, gatewayCredentials, receiveGatewayMessage } from '../../core/channels/discord-gateway';
import { noteChannelError } from '../../core/channels/state';
import type { Services } from '../../ports';
import { createEdgeServices, createRequestScope, type EdgeEnv } from './services';

/**
 * One Discord integration's Gateway connection, held by a Durable Object (named by the
 * integration id) so it outlives requests. POST /start opens it (again), POST /stop closes it;
 * an alarm every minute reopens it after an eviction. Each MESSAGE_CREATE is stored with
 * request-scoped services, exactly as a webhook would be.
 */
const WATCH_MS = 60_000;

export class DiscordGatewayObject {
  private connection: DiscordGatewayConnection | null = null;

  constructor(
    private readonly state: DurableObjectState,
    private readonly env: EdgeEnv,
  ) {}

  async fetch(request: Request): Promise<Response> {
    const path = new URL(request.url).pathname;
    const integrationId = request.headers.get('x-integration-id');
    if (request.method !== 'POST' || !integrationId) return new Response('not found', { status: 404 });
    if (path === '/stop') {
      this.close();
      await this.state.storage.deleteAll();
      return new Response(null, { status: 204 });
    }
    if (path === '/start') {
      await this.state.storage.put('integrationId', integrationId);
      await this.open(integrationId);
      await this.state.storage.setAlarm(Date.now() + WATCH_MS);
      return new Response(null, { status: 204 });
    }
    return new Response('not found', { status: 404 });
  }

  async alarm() {
    const integrationId = await this.state.storage.get<string>('integrationId');
    if (!integrationId) return;
    if (!this.connection?.open) await this.open(integrationId);
    await this.state.storage.setAlarm(Date.now() + WATCH_MS);
  }

  private close() {
    this.connection?.stop();
    this.connection = null;
  }

  private async open(integrationId: string) {
    this.close();
    const credentials = await this.withServices((services) => gatewayCredentials(services, integrationId));
    if (!credentials) return;
    const gatewayUrl = typeof this.env.DISCORD_GATEWAY_URL === 'string' && this.env.DISCORD_GATEWAY_URL ? this.env.DISCORD_GATEWAY_URL : 'wss://gateway.discord.gg';
    this.connection = new DiscordGatewayConnection(gatewayUrl, credentials.botToken, {
      onMessage: (message) => this.withServices((services) => receiveGatewayMessage(services, integrationId, message)).then(() => undefined),
      onFatal: (reason) => void this.withServices((services) => noteChannelError(services, integrationId, reason, true)).catch(() => undefined),
    });
    this.connection.start();
  }

  /** Services for one unit of work, closed (the Neon pool) when it is done. */
  private async withServices<T>(work: (services: Services) => Promise<T>): Promise<T> {
    const scope = createRequestScope({ waitUntil: (p) => this.state.waitUntil(p), passThroughOnException: () => undefined, props: {} });
    try {
      return await work(createEdgeServices(this.env, scope.ctx));
    } finally {
      scope.finish(undefined);
    }
  }
}
