import { eq, sql } from 'drizzle-orm';
import { z } from 'zod';
import { bots, organizations } from '../../../db/schema';
import type { Database, Services } from '../../ports';
import { ApiError } from '../../lib/errors';

/**
 * An organization's privacy settings, kept under `organizations.settings.privacy` (other areas own
 * other keys of the same jsonb, so every write merges this one key and nothing else). Retention is
 * off (null) by default: nothing is deleted until an admin chooses a number of days.
 */
const days = z.number().int().min(1).max(3650).nullable();

export const RetentionSettingsSchema = z.object({
  conversationsDays: days.default(null).describe('Conversations (with all their messages and files) idle longer than this are deleted; null keeps them'),
  messagesDays: days.default(null).describe('Messages older than this are deleted, their conversations kept; null keeps them'),
  filesDays: days.default(null).describe('Files customers sent (message attachments, documents they uploaded) older than this are deleted; null keeps them'),
});

export const PrivacySettingsSchema = z.object({
  retention: RetentionSettingsSchema.default({ conversationsDays: null, messagesDays: null, filesDays: null }),
  redaction: z
    .object({
      enabled: z
        .boolean()
        .default(false)
        .describe('Emails, phone numbers, card numbers and IBANs in customer messages are stored and sent to models as [email], [phone], [card], [iban]'),
    })
    .default({ enabled: false }),
});

export type PrivacySettings = z.infer<typeof PrivacySettingsSchema>;
export type RetentionSettings = z.infer<typeof RetentionSettingsSchema>;

// Without defaults: a field left out of a patch must stay as it is, not fall back to null.
export const PrivacySettingsPatchSchema = z.object({
  retention: z.object({ conversationsDays: days.optional(), messagesDays: days.optional(), filesDays: days.optional() }).optional(),
  redaction: z.object({ enabled: z.boolean() }).optional(),
});
export type PrivacySettingsPatch = z.infer<typeof PrivacySettingsPatchSchema>;

/** The privacy part of an organization's settings jsonb, defaults filled in; a malformed value reads as the defaults. */
export function privacyOf(settings: Record<string, unknown> | null | undefined): PrivacySettings {
  const parsed = PrivacySettingsSchema.safeParse(settings?.privacy ?? {});
  return parsed.success ? parsed.data : PrivacySettingsSchema.parse({});
}

export async function readPrivacySettings(db: Database, organizationId: string): Promise<PrivacySettings> {
  const [org] = await db.select({ settings: organizations.settings }).from(organizations).where(eq(organizations.id, organizationId));
  if (!org) throw new ApiError('not_found', 'Organization not found');
  return privacyOf(org.settings);
}

/** The fields a patch changes, for the audit log ("retention.messagesDays", "redaction.enabled"). */
export function changedFields(before: PrivacySettings, after: PrivacySettings): string[] {
  const fields: string[] = [];
  for (const key of Object.keys(after.retention) as Array<keyof RetentionSettings>) {
    if (before.retention[key] !== after.retention[key]) fields.push(`retention.${key}`);
  }
  if (before.redaction.enabled !== after.redaction.enabled) fields.push('redaction.enabled');
  return fields;
}

function definedOnly<T extends Record<string, unknown>>(values: T): Partial<T> {
  return Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/**
 * Applies a patch to the organization's privacy settings in one statement (`settings || {privacy}`),
 * so a concurrent write of another settings key is never lost. The redaction flag rides in each
 * bot's cached runtime, which is forgotten so the next message sees the change.
 */
export async function updatePrivacySettings(services: Pick<Services, 'db' | 'kv'>, organizationId: string, patch: PrivacySettingsPatch) {
  const before = await readPrivacySettings(services.db, organizationId);
  const after: PrivacySettings = {
    retention: { ...before.retention, ...definedOnly(patch.retention ?? {}) },
    redaction: { ...before.redaction, ...patch.redaction },
  };
  await services.db
    .update(organizations)
    .set({ settings: sql`${organizations.settings} || jsonb_build_object('privacy', ${JSON.stringify(after)}::jsonb)` })
    .where(eq(organizations.id, organizationId));
  if (before.redaction.enabled !== after.redaction.enabled) {
    const orgBots = await services.db.select({ id: bots.id }).from(bots).where(eq(bots.organizationId, organizationId));
    // The same key as core/chat/bot-runtime.ts (not imported: that module pulls the flow runtime).
    await Promise.all(orgBots.map((b) => services.kv.del(`bot-runtime:${b.id}`)));
  }
  return { before, after };
}
