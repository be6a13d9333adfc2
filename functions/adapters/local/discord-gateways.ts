import { DiscordGatewayConnection, gatewayCredentials, receiveGatewayMessage } from '../../core/channels/discord-gateway';
import { noteChannelError } from '../../core/channels/state';
import type { DiscordGateways, Services } from '../../ports';

/**
 * The local runtime's Discord Gateway connections, one per connected integration, in this
 * process (the edge keeps each in a Durable Object). `services` is read late: the runtime builds
 * this before its services exist.
 */
export function createLocalDiscordGateways(services: () => Services): DiscordGateways & { closeAll(): void } {
  const connections = new Map<string, DiscordGatewayConnection>();
  return {
    async start(integrationId) {
      connections.get(integrationId)?.stop();
      connections.delete(integrationId);
      const credentials = await gatewayCredentials(services(), integrationId);
      if (!credentials) return;
      const connection = new DiscordGatewayConnection(services().config.DISCORD_GATEWAY_URL, credentials.botToken, {
        onMessage: async (message) => void (await receiveGatewayMessage(services(), integrationId, message)),
        onFatal: (reason) => void noteChannelError(services(), integrationId, reason, true).catch(() => undefined),
      });
      connections.set(integrationId, connection);
      connection.start();
    },
    async stop(integrationId) {
      connections.get(integrationId)?.stop();
      connections.delete(integrationId);
    },
    closeAll() {
      for (const connection of connections.values()) connection.stop();
      connections.clear();
    },
  };
}
