import type { DiscordGateways } from '../../ports';

/** The edge's DiscordGateways: one object per integration, through the DISCORD_GATEWAYS binding. */
export function createDurableDiscordGateways(namespace: DurableObjectNamespace): DiscordGateways {
  const call = async (integrationId: string, path: '/start' | '/stop') => {
    const stub = namespace.get(namespace.idFromName(integrationId));
    const response = await stub.fetch(`https://discord-gateway${path}`, { method: 'POST', headers: { 'x-integration-id': integrationId } });
    if (!response.ok) throw new Error(`discord gateway ${path} answered ${response.status}`);
  };
  return { start: (id) => call(id, '/start'), stop: (id) => call(id, '/stop') };
}
