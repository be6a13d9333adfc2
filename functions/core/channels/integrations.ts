import { and, count, desc, eq, gte, inArray, lt, or } from 'drizzle-orm';
import { bots, channels, conversations, messages } from '../../../db/schema';
import { ApiError } from '../../lib/errors';
import type { Cursor } from '../../lib/pagination';
import { inOrg } from '../../lib/tenancy';
import type { Services } from '../../ports';
import { credentialFields, mergeCredentials, openCredentials, sealCredentials, type AnyCredentials, type TelegramCredentials } from './credentials';
import { connectPlatform, disconnectPlatform, discordSettingsOf, settingsOf, webhookUrlOf, withServerSecrets, type IntegrationSettings } from './platforms';
import { newInboxAddress } from './email/address';
import { telegramWebhookInfo } from './telegram';
import { forgetIntegration } from './state';
import type { IntegrationRow, Platform, PlatformFailure } from './types';
import { assertWithinLimit } from '../billing/limits';

/**
 * Integrations (the `channels` table): a platform account linked to one bot. Credentials are
 * validated with the platform on connect, kept encrypted, and never leave the server; what the
 * API shows is which fields are set, the webhook URL to paste, and Meta's verify token (admins).
 */
export interface IntegrationInput {
  name?: string;
  botId?: string | null;
  credentials?: Record<string, unknown>;
  settings?: Pick<IntegrationSettings, 'groups' | 'discord' | 'handoffNotify'>;
}

export interface PublicIntegration {
  id: string;
  platform: Platform;
  name: string;
  botId: string | null;
  bot: { id: string; name: string } | null;
  status: IntegrationRow['status'];
  account: { id: string | null; name: string | null; handle: string | null };
  settings: {
    groups: 'ignore' | 'mentions' | 'all';
    discord?: { channels: string[]; dms: boolean };
    handoffNotify?: { channelId: string | null; webhookUrl: boolean };
  };
  credentials: { configured: boolean; fields: string[] };
  webhook: { url: string; verifyToken: string | null };
  /** Email channels: the address customers write to. */
  inboxAddress: string | null;
  lastMessageAt: string | null;
  lastError: string | null;
  lastErrorAt: string | null;
  createdAt: string;
  updatedAt: string;
}

const iso = (d: Date | null) => (d ? d.toISOString() : null);

async function readCredentials(services: Pick<Services, 'config'>, row: IntegrationRow): Promise<AnyCredentials | null> {
  if (!row.credentialsEncrypted) return null;
  return openCredentials(row.platform, row.credentialsEncrypted, services.config.ENCRYPTION_KEY);
}

/** The API's view: never a secret; the verify token only for those who set up webhooks. */
export async function publicIntegration(
  services: Pick<Services, 'config'>,
  row: IntegrationRow,
  botName: string | null,
  options: { revealVerifyToken: boolean },
): Promise<PublicIntegration> {
  const credentials = await readCredentials(services, row).catch(() => null);
  const settings = settingsOf(row);
  const fields = credentials ? credentialFields(row.platform).filter((f) => (credentials as unknown as Record<string, unknown>)[f] !== undefined) : [];
  const verifyToken = credentials && 'verifyToken' in credentials && options.revealVerifyToken ? credentials.verifyToken : null;
  return {
    id: row.id,
    platform: row.platform,
    name: row.name,
    botId: row.botId,
    bot: row.botId && botName ? { id: row.botId, name: botName } : null,
    status: row.status,
    account: { id: row.externalAccountId, name: settings.account?.name ?? null, handle: settings.account?.handle ?? (row.platform === 'email' ? row.externalAccountId : null) },
    settings: {
      groups: settings.groups ?? 'mentions',
      ...(row.platform === 'discord' ? { discord: discordSettingsOf(row) } : {}),
      ...(row.platform === 'slack' ? { handoffNotify: { channelId: settings.handoffNotify?.channelId ?? null, webhookUrl: Boolean(settings.handoffNotify?.webhookUrl) } } : {}),
    },
    credentials: { configured: credentials !== null, fields },
    webhook: { url: webhookUrlOf(services.config, row), verifyToken },
    inboxAddress: row.platform === 'email' ? row.externalAccountId : null,
    lastMessageAt: iso(row.lastMessageAt),
    lastError: row.lastError,
    lastErrorAt: iso(row.lastErrorAt),
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

export async function findIntegrationInOrg(services: Pick<Services, 'db'>, organizationId: string, id: string) {
  const [row] = await services.db
    .select({ integration: channels, botName: bots.name })
    .from(channels)
    .leftJoin(bots, eq(bots.id, channels.botId))
    .where(inOrg(channels, organizationId, eq(channels.id, id)))
    .limit(1);
  if (!row) throw new ApiError('not_found', 'Integration not found');
  return row;
}

export async function listIntegrations(
  services: Pick<Services, 'db'>,
  organizationId: string,
  filters: { platform?: Platform; botId?: string; cursor: Cursor | null; limit: number },
) {
  const { cursor } = filters;
  return services.db
    .select({ integration: channels, botName: bots.name })
    .from(channels)
    .leftJoin(bots, eq(bots.id, channels.botId))
    .where(
      inOrg(
        channels,
        organizationId,
        filters.platform ? eq(channels.platform, filters.platform) : undefined,
        filters.botId ? eq(channels.botId, filters.botId) : undefined,
        cursor
          ? or(lt(channels.createdAt, new Date(cursor.createdAt)), and(eq(channels.createdAt, new Date(cursor.createdAt)), lt(channels.id, cursor.id)))
          : undefined,
      ),
    )
    .orderBy(desc(channels.createdAt), desc(channels.id))
    .limit(filters.limit + 1);
}

async function requireBot(services: Pick<Services, 'db'>, organizationId: string, botId: string) {
  const [bot] = await services.db.select({ id: bots.id }).from(bots).where(inOrg(bots, organizationId, eq(bots.id, botId))).limit(1);
  if (!bot) throw new ApiError('validation_failed', 'The request is not valid', { details: [{ path: 'botId', message: 'No chatbot with this id in the organization', code: 'custom' }] });
}

/**
 * Settings as stored after a change: the handoff notice keeps its stored webhook URL unless a new
 * one is given (the API never returns it), and a new URL must pass the outbound policy now, not
 * when a handoff happens.
 */
async function mergeSettings(services: Services, current: IntegrationSettings, change: IntegrationInput['settings']): Promise<IntegrationSettings> {
  if (!change) return current;
  const merged: IntegrationSettings = { ...current, ...change };
  if (change.handoffNotify) {
    merged.handoffNotify = { ...current.handoffNotify, ...change.handoffNotify };
    const url = change.handoffNotify.webhookUrl;
    const refused = url ? await services.outbound.check(url) : null;
    if (refused) {
      throw new ApiError('validation_failed', 'The request is not valid', { details: [{ path: 'settings.handoffNotify.webhookUrl', message: refused, code: 'custom' }] });
    }
  }
  return merged;
}

function credentialsOrThrow(platform: Platform, stored: Record<string, unknown> | null, change: Record<string, unknown>) {
  const merged = mergeCredentials(platform, stored, change);
  if (!merged.ok) throw new ApiError('validation_failed', 'The credentials are not complete or not valid', { details: merged.issues });
  return merged.credentials;
}

export async function createIntegration(services: Services, organizationId: string, input: IntegrationInput & { platform: Platform; name: string; botId: string }) {
  await requireBot(services, organizationId, input.botId);
  const sealed = input.credentials ? await sealCredentials(withServerSecrets(input.platform, credentialsOrThrow(input.platform, null, input.credentials)), services.config.ENCRYPTION_KEY) : null;
  // An email channel's address is ours to make, once: it is where customers write.
  const externalAccountId = input.platform === 'email' ? await newInboxAddress(services, organizationId) : null;
  const [row] = await services.db
    .insert(channels)
    .values({ organizationId, platform: input.platform, name: input.name, botId: input.botId, credentialsEncrypted: sealed, settings: { ...(await mergeSettings(services, {}, input.settings)) }, externalAccountId })
    .returning();
  return row;
}

/**
 * Changes name, bot, settings or credentials. New credentials on a connected integration are
 * proven with the platform before they replace the old ones (a typo must not cut the channel off).
 */
export async function updateIntegration(services: Services, organizationId: string, id: string, input: IntegrationInput) {
  const { integration } = await findIntegrationInOrg(services, organizationId, id);
  if (input.botId) await requireBot(services, organizationId, input.botId);
  const changes: Partial<typeof channels.$inferInsert> = {};
  if (input.name !== undefined) changes.name = input.name;
  if (input.botId !== undefined) changes.botId = input.botId;
  if (input.settings) changes.settings = { ...(await mergeSettings(services, settingsOf(integration), input.settings)) };
  if (input.credentials) {
    const stored = (await readCredentials(services, integration).catch(() => null)) as Record<string, unknown> | null;
    const credentials = withServerSecrets(integration.platform, credentialsOrThrow(integration.platform, stored, input.credentials));
    if (integration.status === 'connected') {
      const account = await proveWithPlatform(services, integration, credentials);
      changes.externalAccountId = account.id || integration.externalAccountId;
      changes.settings = { ...settingsOf(integration), ...changes.settings, account: { name: account.name, handle: account.handle } };
    }
    changes.credentialsEncrypted = await sealCredentials(credentials, services.config.ENCRYPTION_KEY);
  }
  if (Object.keys(changes).length === 0) return integration;
  const [row] = await services.db.update(channels).set(changes).where(inOrg(channels, organizationId, eq(channels.id, id))).returning();
  await forgetIntegration(services, id);
  return row;
}

function platformError(integration: IntegrationRow, failure: PlatformFailure): ApiError {
  const name = integration.platform[0].toUpperCase() + integration.platform.slice(1);
  if (failure.transient) {
    return new ApiError('service_unavailable', `${name} could not be reached to check the credentials; try again. ${failure.reason}`, {
      ...(failure.retryAfterSeconds ? { headers: { 'Retry-After': String(Math.ceil(failure.retryAfterSeconds)) } } : {}),
    });
  }
  return new ApiError('validation_failed', `${name} rejected the credentials: ${failure.reason}`, {
    details: [{ path: 'credentials', message: failure.reason, code: 'platform_rejected' }],
  });
}

async function proveWithPlatform(services: Services, integration: IntegrationRow, credentials: AnyCredentials) {
  const result = await connectPlatform(services.config, integration.platform, credentials, webhookUrlOf(services.config, integration));
  if (!result.ok) throw platformError(integration, result);
  return result.account;
}

/**
 * Connect: optional new credentials are merged in, proven with the platform (Telegram: getMe +
 * setWebhook with a fresh secret token), then the integration is `connected`. A refusal leaves it
 * in `error` with the platform's reason.
 */
export async function connectIntegration(services: Services, organizationId: string, id: string, change: Record<string, unknown> | undefined) {
  const { integration } = await findIntegrationInOrg(services, organizationId, id);
  if (!integration.botId) {
    throw new ApiError('validation_failed', 'Link a chatbot first', { details: [{ path: 'botId', message: 'The integration needs a chatbot to answer', code: 'custom' }] });
  }
  await assertWithinLimit(services, organizationId, 'channels', 1, { alreadyCounted: integration.status === 'connected' });
  const stored = (await readCredentials(services, integration).catch(() => null)) as Record<string, unknown> | null;
  const credentials = withServerSecrets(integration.platform, credentialsOrThrow(integration.platform, stored, change ?? {}));
  const result = await connectPlatform(services.config, integration.platform, credentials, webhookUrlOf(services.config, integration));
  if (!result.ok) {
    // Every failed connect is the channel's last error, so the card says why instead of "No
    // errors". Only stored credentials the platform now refuses (an expired token) put the channel
    // in error; refused new ones are not saved, an outage changes nothing else, and whatever
    // worked before keeps working.
    const storedRefused = !result.transient && !change;
    const error = platformError(integration, result);
    await services.db
      .update(channels)
      .set({ lastError: error.message, lastErrorAt: new Date(), ...(storedRefused ? { status: 'error' as const } : {}) })
      .where(eq(channels.id, integration.id));
    await forgetIntegration(services, integration.id);
    throw error;
  }
  const [row] = await services.db
    .update(channels)
    .set({
      status: 'connected',
      credentialsEncrypted: await sealCredentials(credentials, services.config.ENCRYPTION_KEY),
      // A platform that names no account (email: the inbox address is ours) keeps the one we set.
      externalAccountId: result.account.id || integration.externalAccountId,
      settings: { ...settingsOf(integration), account: { name: result.account.name, handle: result.account.handle } },
      lastError: null,
      lastErrorAt: null,
    })
    .where(eq(channels.id, integration.id))
    .returning();
  await forgetIntegration(services, integration.id);
  await syncDiscordGateway(services, row);
  return row;
}

/** Discord's Gateway follows the integration: open while connected (settings may have changed), closed otherwise. */
async function syncDiscordGateway(services: Services, row: Pick<IntegrationRow, 'id' | 'platform' | 'status'>) {
  if (row.platform !== 'discord' || !services.discordGateways) return;
  if (row.status === 'disconnected') await services.discordGateways.stop(row.id);
  else await services.discordGateways.start(row.id);
}

/** A restarted process opens the Gateway of every connected Discord integration again. */
export async function reopenDiscordGateways(services: Services) {
  const rows = await services.db.select({ id: channels.id, platform: channels.platform, status: channels.status }).from(channels).where(and(eq(channels.platform, 'discord'), eq(channels.status, 'connected')));
  for (const row of rows) await syncDiscordGateway(services, row);
}

/** Disconnect: Telegram stops calling us (deleteWebhook); for every platform, events are ignored and nothing is sent. */
export async function disconnectIntegration(services: Services, organizationId: string, id: string) {
  const { integration } = await findIntegrationInOrg(services, organizationId, id);
  const credentials = await readCredentials(services, integration).catch(() => null);
  let lastError: string | null = integration.lastError;
  if (credentials && integration.status === 'connected') {
    const result = await disconnectPlatform(services.config, integration.platform, credentials);
    // The platform being down must not keep an admin from disconnecting; the reason is kept.
    if (!result.ok) lastError = `Disconnected here, but the platform could not be told: ${result.reason}`;
  }
  const [row] = await services.db
    .update(channels)
    .set({ status: 'disconnected', lastError, ...(lastError !== integration.lastError ? { lastErrorAt: new Date() } : {}) })
    .where(eq(channels.id, integration.id))
    .returning();
  await forgetIntegration(services, integration.id);
  await syncDiscordGateway(services, row);
  return row;
}

export async function deleteIntegration(services: Services, organizationId: string, id: string) {
  await disconnectIntegration(services, organizationId, id);
  await services.db.delete(channels).where(inOrg(channels, organizationId, eq(channels.id, id)));
  await forgetIntegration(services, id);
}

export interface IntegrationStatus {
  id: string;
  platform: Platform;
  status: IntegrationRow['status'];
  webhookUrl: string;
  lastMessageAt: string | null;
  lastError: string | null;
  lastErrorAt: string | null;
  last24h: { received: number; sent: number; failed: number; pending: number };
  /** Telegram's own view of the webhook, when asked to check (`?check=true`). */
  platformWebhook: { url: string; pendingUpdates: number; lastError: string | null; lastErrorAt: string | null } | null;
}

/** Status: what we know, the day's traffic, and (on request) what Telegram reports about our webhook. */
export async function integrationStatus(services: Services, organizationId: string, id: string, check: boolean): Promise<IntegrationStatus> {
  const { integration } = await findIntegrationInOrg(services, organizationId, id);
  const since = new Date(Date.now() - 86_400_000);
  const traffic = await services.db
    .select({ role: messages.role, status: messages.deliveryStatus, n: count() })
    .from(messages)
    .innerJoin(conversations, eq(conversations.id, messages.conversationId))
    .where(
      and(
        eq(messages.organizationId, organizationId),
        eq(conversations.channelId, integration.id),
        gte(messages.createdAt, since),
        inArray(messages.role, ['user', 'assistant', 'agent']),
      ),
    )
    .groupBy(messages.role, messages.deliveryStatus);
  const total = (match: (r: (typeof traffic)[number]) => boolean) => traffic.filter(match).reduce((sum, r) => sum + Number(r.n), 0);
  let platformWebhook: IntegrationStatus['platformWebhook'] = null;
  if (check && integration.platform === 'telegram' && integration.credentialsEncrypted) {
    const credentials = (await readCredentials(services, integration)) as TelegramCredentials;
    const info = await telegramWebhookInfo(services.config, credentials);
    if (info.ok) {
      platformWebhook = {
        url: info.result.url,
        pendingUpdates: info.result.pending_update_count,
        lastError: info.result.last_error_message ?? null,
        lastErrorAt: info.result.last_error_date ? new Date(info.result.last_error_date * 1000).toISOString() : null,
      };
    } else {
      platformWebhook = { url: '', pendingUpdates: 0, lastError: info.reason, lastErrorAt: new Date().toISOString() };
    }
  }
  return {
    id: integration.id,
    platform: integration.platform,
    status: integration.status,
    webhookUrl: webhookUrlOf(services.config, integration),
    lastMessageAt: iso(integration.lastMessageAt),
    lastError: integration.lastError,
    lastErrorAt: iso(integration.lastErrorAt),
    last24h: {
      received: total((r) => r.role === 'user'),
      sent: total((r) => r.role !== 'user' && (r.status === 'sent' || r.status === 'delivered' || r.status === 'read')),
      failed: total((r) => r.role !== 'user' && r.status === 'failed'),
      pending: total((r) => r.role !== 'user' && r.status === 'pending'),
    },
    platformWebhook,
  };
}

