import { z } from '@hono/zod-openapi';
import { PrivacySettingsPatchSchema, PrivacySettingsSchema } from '../core/privacy/settings';
import { JsonObjectSchema, named } from '../lib/openapi';

// Plain-zod schemas from core (named() copes with import order in the bundles).
export const PrivacySettingsResponseSchema = named(PrivacySettingsSchema, 'PrivacySettings');

export const UpdatePrivacySettingsSchema = named(PrivacySettingsPatchSchema, 'UpdatePrivacySettings');

export const ContactParamsSchema = z.object({ contact_id: z.uuid().openapi({ param: { name: 'contact_id', in: 'path' } }) });

const iso = z.string();
const AttachmentExportSchema = z.object({
  kind: z.string().nullable(),
  filename: z.string().nullable(),
  mimeType: z.string().nullable(),
  size: z.number().nullable(),
  status: z.string().nullable(),
  stored: z.boolean().describe('The file is still kept (false once deleted or never downloaded)'),
});

export const ContactExportSchema = z
  .object({
    exportedAt: iso,
    contact: z.object({
      id: z.uuid(),
      channel: z.string(),
      externalId: z.string(),
      name: z.string().nullable(),
      email: z.string().nullable(),
      phone: z.string().nullable(),
      attributes: JsonObjectSchema,
      lastSeenAt: iso.nullable(),
      createdAt: iso,
      updatedAt: iso,
    }),
    conversations: z.array(
      z.object({
        id: z.uuid(),
        botId: z.uuid(),
        channel: z.string(),
        status: z.string(),
        tags: z.array(z.string()),
        rating: z.number().nullable(),
        feedback: z.string().nullable(),
        createdAt: iso,
        resolvedAt: iso.nullable(),
        messages: z.array(
          z.object({
            id: z.uuid(),
            role: z.string(),
            content: z.string(),
            contentType: z.string(),
            feedback: z.number().nullable(),
            createdAt: iso,
            attachments: z.array(AttachmentExportSchema),
          }),
        ),
      }),
    ),
    files: z
      .array(z.object({ id: z.uuid(), knowledgeBaseId: z.uuid(), name: z.string(), mimeType: z.string().nullable(), sizeBytes: z.number(), createdAt: iso }))
      .describe('Knowledge documents the contact uploaded'),
    events: z
      .array(z.object({ id: z.string(), type: z.string(), createdAt: iso, data: JsonObjectSchema }))
      .describe('Events about the contact\u2019s conversations kept for outgoing webhooks'),
  })
  .openapi('ContactExport');

export const ErasureSchema = z
  .object({
    erased: z.literal(true),
    counts: z.object({
      conversations: z.number().int(),
      messages: z.number().int(),
      files: z.number().int().describe('Message attachments whose stored file was deleted'),
      documents: z.number().int().describe('Knowledge documents (with their vectors) the contact uploaded'),
      events: z.number().int().describe('Stored webhook events about the contact\u2019s conversations'),
      streamEntries: z.number().int().describe('Entries of the live event streams (dashboard and widget) that named the contact\u2019s conversations, deleted from the log'),
    }),
  })
  .openapi('ContactErasure');

export const PurgeRunSchema = z.object({ queued: z.boolean() }).openapi('RetentionPurgeRun');
