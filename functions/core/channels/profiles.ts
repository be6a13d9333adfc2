import { and, eq, sql } from 'drizzle-orm';
import { channels, contacts } from '../../../db/schema';
import type { Services } from '../../ports';
import { openCredentials, type AnyCredentials, type InstagramCredentials, type MessengerCredentials, type SlackCredentials } from './credentials';
import { errorMessage } from './http';
import { graphCall } from './meta';
import { fetchSlackProfile } from './slack';
import type { Config } from '../../lib/config';
import type { WebhookIntegration } from './types';

/**
 * Contact profiles. WhatsApp names arrive in the webhook (`contacts[].profile.name`) and Telegram
 * names and usernames in every update, so both are refreshed by the webhook's own upsert. Messenger
 * and Instagram send only an id: their name and picture come from the user profile APIs, read by a
 * job at most once a day per contact (the webhook only queues it), and written when they change.
 * Slack events carry only the user id (`U0…`): `users.info` names the person and gives the picture,
 * cached an hour per workspace user, since every thread is a contact of its own and one person
 * starts many.
 */
export const PROFILE_JOB = 'channel-profile';
const DAY_MS = 86_400_000;
const PROFILE_PLATFORMS = new Set(['messenger', 'instagram', 'slack']);
type ProfilePlatform = 'messenger' | 'instagram' | 'slack';
const SLACK_PROFILE_CACHE_SECONDS = 3600;

export interface PlatformProfile {
  name: string | null;
  username?: string | null;
  avatarUrl: string | null;
}

/** Queues the profile read when this Messenger/Instagram contact has none from the last day. */
export async function refreshProfileWhenDue(services: Services, integration: WebhookIntegration, contactId: string, fetchedAt: string | null) {
  if (!PROFILE_PLATFORMS.has(integration.platform)) return;
  if (fetchedAt && Date.now() - Date.parse(fetchedAt) < DAY_MS) return;
  const day = new Date().toISOString().slice(0, 10);
  await services.queue.enqueue(PROFILE_JOB, { contactId, integrationId: integration.id }, { deduplicationId: `${PROFILE_JOB}:${contactId}:${day}` });
}

/** Messenger: `GET /{psid}?fields=first_name,last_name,profile_pic`; Instagram: `GET /{igsid}?fields=name,username,profile_pic`. */
export async function fetchMetaProfile(config: Config, platform: 'messenger' | 'instagram', token: string, userId: string) {
  const fields = platform === 'messenger' ? 'first_name,last_name,profile_pic' : 'name,username,profile_pic';
  const result = await graphCall<{ first_name?: string; last_name?: string; name?: string; username?: string; profile_pic?: string }>(
    config,
    `${encodeURIComponent(userId)}?fields=${fields}`,
    token,
  );
  if (!result.ok) return result;
  const data = result.data;
  const name = platform === 'messenger' ? [data.first_name, data.last_name].filter(Boolean).join(' ') : (data.name ?? data.username ?? '');
  return { ok: true as const, profile: { name: name || null, username: data.username ?? null, avatarUrl: data.profile_pic ?? null } satisfies PlatformProfile };
}

type ProfileRead = Awaited<ReturnType<typeof fetchMetaProfile>>;

async function readProfile(services: Services, platform: ProfilePlatform, credentials: AnyCredentials, contact: { externalId: string; attributes: Record<string, unknown> }): Promise<ProfileRead | null> {
  if (platform !== 'slack') return fetchMetaProfile(services.config, platform, (credentials as MessengerCredentials | InstagramCredentials).pageAccessToken, contact.externalId);
  const userId = contact.attributes.slackUserId;
  if (typeof userId !== 'string' || !userId) return null;
  const cacheKey = `slack-profile:${String(contact.attributes.slackTeamId ?? '')}:${userId}`;
  const cached = await services.kv.get<PlatformProfile>(cacheKey);
  if (cached) return { ok: true, profile: { name: cached.name, username: cached.username ?? null, avatarUrl: cached.avatarUrl } };
  const read = await fetchSlackProfile(services.config, (credentials as SlackCredentials).botToken, userId);
  if (read.ok) await services.kv.set(cacheKey, read.profile, { ttlSeconds: SLACK_PROFILE_CACHE_SECONDS });
  return read;
}

/** The job: reads the profile and stores what changed; a refused read still counts as today's try. */
export async function refreshContactProfile(services: Services, contactId: string, integrationId: string) {
  const [row] = await services.db
    .select({ contact: contacts, integration: channels })
    .from(contacts)
    .innerJoin(channels, and(eq(channels.id, integrationId), eq(channels.organizationId, contacts.organizationId)))
    .where(eq(contacts.id, contactId))
    .limit(1);
  if (!row?.integration.credentialsEncrypted || !PROFILE_PLATFORMS.has(row.integration.platform)) return { skipped: 'no such contact or channel' };
  const platform = row.integration.platform as ProfilePlatform;
  const credentials = await openCredentials(platform, row.integration.credentialsEncrypted, services.config.ENCRYPTION_KEY).catch(() => null);
  if (!credentials) return { skipped: 'credentials unreadable' };
  const read = await readProfile(services, platform, credentials, row.contact);
  if (!read) return { skipped: 'the contact names no platform user' };
  const fetchedAt = new Date().toISOString();
  if (!read.ok) {
    // Without the user's consent scope Meta refuses profiles: logged, and tried again tomorrow.
    console.warn(JSON.stringify({ level: 'warn', message: 'contact profile read failed', contact: contactId, reason: errorMessage(read.reason) }));
    await services.db
      .update(contacts)
      .set({ attributes: sql`${contacts.attributes} || ${JSON.stringify({ profileFetchedAt: fetchedAt })}::jsonb` })
      .where(eq(contacts.id, contactId));
    return { ok: false, reason: read.reason };
  }
  const { profile } = read;
  const attributes = {
    profileFetchedAt: fetchedAt,
    ...(profile.avatarUrl ? { avatarUrl: profile.avatarUrl } : {}),
    ...(profile.username ? { username: profile.username } : {}),
    ...(profile.name ? { profileName: profile.name } : {}),
  };
  await services.db
    .update(contacts)
    .set({
      // The platform's name wins over the earlier platform name, but not over one an agent typed.
      name: sql`case when ${contacts.name} is null or ${contacts.name} = ${contacts.attributes}->>'profileName' then coalesce(${profile.name}::text, ${contacts.name}) else ${contacts.name} end`,
      attributes: sql`${contacts.attributes} || ${JSON.stringify(attributes)}::jsonb`,
      updatedAt: new Date(),
    })
    .where(eq(contacts.id, contactId));
  return { ok: true, profile };
}
