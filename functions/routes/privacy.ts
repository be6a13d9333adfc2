import { createRoute } from '@hono/zod-openapi';
import { recordAudit } from '../core/audit';
import { eraseContact, exportContact } from '../core/privacy/contact-data';
import { hasRetention, PURGE_JOB } from '../core/privacy/retention';
import { changedFields, readPrivacySettings, updatePrivacySettings } from '../core/privacy/settings';
import { OrgHeaderSchema, bearerSecurity, createRouter, jsonBody, jsonContent, protectedErrors } from '../lib/openapi';
import { auditActor } from '../lib/request';
import { authenticate, requireRole, withOrg } from '../middleware/auth';
import {
  ContactExportSchema,
  ContactParamsSchema,
  ErasureSchema,
  PrivacySettingsResponseSchema,
  PurgeRunSchema,
  UpdatePrivacySettingsSchema,
} from './privacy.schemas';

/**
 * /api/v1/privacy: the organization's retention and redaction settings (admin), and a way to run
 * the retention purge now. /api/v1/contacts/{id}: one person's export and erasure (admin). Every
 * change is in the audit log with counts and field names, never the personal data itself.
 */
export const privacyRouter = createRouter();
privacyRouter.use('*', authenticate, withOrg);
const tags = ['Privacy'];

privacyRouter.openapi(
  createRoute({
    method: 'get',
    path: '/settings',
    tags,
    summary: 'Retention and redaction settings (admin)',
    security: bearerSecurity,
    request: { headers: OrgHeaderSchema },
    responses: { 200: jsonContent(PrivacySettingsResponseSchema, 'The settings, defaults filled in'), ...protectedErrors },
  }),
  async (c) => {
    const access = c.get('org');
    requireRole(access, 'admin');
    return c.json(await readPrivacySettings(c.get('services').db, access.organizationId), 200);
  },
);

privacyRouter.openapi(
  createRoute({
    method: 'patch',
    path: '/settings',
    tags,
    summary: 'Change retention days or redaction (admin); fields left out stay as they are',
    security: bearerSecurity,
    request: { headers: OrgHeaderSchema, body: jsonBody(UpdatePrivacySettingsSchema) },
    responses: { 200: jsonContent(PrivacySettingsResponseSchema, 'The settings now'), ...protectedErrors },
  }),
  async (c) => {
    const access = c.get('org');
    requireRole(access, 'admin');
    const services = c.get('services');
    const { before, after } = await updatePrivacySettings(services, access.organizationId, c.req.valid('json'));
    const fields = changedFields(before, after);
    if (fields.length > 0) {
      await recordAudit(services.db, auditActor(c), {
        action: 'privacy.settings_updated',
        organizationId: access.organizationId,
        targetType: 'organization',
        targetId: access.organizationId,
        metadata: { fields, retention: { ...after.retention } },
      });
    }
    return c.json(after, 200);
  },
);

privacyRouter.openapi(
  createRoute({
    method: 'post',
    path: '/retention/run',
    tags,
    summary: 'Run the retention purge now instead of waiting for the night (admin)',
    description: 'Queues the purge job for this organization; it deletes in batches and records its counts in the audit log (`privacy.retention_purged`).',
    security: bearerSecurity,
    request: { headers: OrgHeaderSchema },
    responses: { 202: jsonContent(PurgeRunSchema, 'Queued (false: no retention is set)'), ...protectedErrors },
  }),
  async (c) => {
    const access = c.get('org');
    requireRole(access, 'admin');
    const services = c.get('services');
    const { retention } = await readPrivacySettings(services.db, access.organizationId);
    if (!hasRetention(retention)) return c.json({ queued: false }, 202);
    await services.queue.enqueue(PURGE_JOB, { organizationId: access.organizationId, startedAt: new Date().toISOString() });
    return c.json({ queued: true }, 202);
  },
);

/** One contact's export and erasure, mounted by routes/contacts.ts (which authenticates and resolves the organization). */
export const contactDataRouter = createRouter();
const contactTags = ['Contacts'];

contactDataRouter.openapi(
  createRoute({
    method: 'get',
    path: '/{contact_id}/export',
    tags: contactTags,
    summary: 'Everything stored about one contact, as a JSON download (admin)',
    description:
      'The contact and its attributes, its conversations with every message and the metadata of the files it sent, the knowledge documents it uploaded and the webhook events about its conversations.',
    security: bearerSecurity,
    request: { headers: OrgHeaderSchema, params: ContactParamsSchema },
    responses: { 200: jsonContent(ContactExportSchema, 'The export (Content-Disposition: attachment)'), ...protectedErrors },
  }),
  async (c) => {
    const access = c.get('org');
    requireRole(access, 'admin');
    const { contact_id } = c.req.valid('param');
    const services = c.get('services');
    const data = await exportContact(services, access.organizationId, contact_id);
    await recordAudit(services.db, auditActor(c), {
      action: 'contact.exported',
      organizationId: access.organizationId,
      targetType: 'contact',
      targetId: contact_id,
      metadata: { counts: { conversations: data.conversations.length, messages: data.conversations.reduce((n, conv) => n + conv.messages.length, 0) } },
    });
    c.header('Content-Disposition', `attachment; filename="contact-${contact_id}.json"`);
    // Parsed into the documented shape: attributes and event data are free JSON in the database.
    return c.json(ContactExportSchema.parse(data), 200);
  },
);

contactDataRouter.openapi(
  createRoute({
    method: 'delete',
    path: '/{contact_id}',
    tags: contactTags,
    summary: 'Erase one contact and everything about it (admin)',
    description:
      'Deletes the contact, its attributes, conversations and messages, the files it sent (blobs), the knowledge documents it uploaded with their vectors, and stored webhook events about it. Daily analytics keep their counts. Cannot be undone.',
    security: bearerSecurity,
    request: { headers: OrgHeaderSchema, params: ContactParamsSchema },
    responses: { 200: jsonContent(ErasureSchema, 'Erased, with what was deleted'), ...protectedErrors },
  }),
  async (c) => {
    const access = c.get('org');
    requireRole(access, 'admin');
    const { contact_id } = c.req.valid('param');
    const services = c.get('services');
    const counts = await eraseContact(services, access.organizationId, contact_id);
    await recordAudit(services.db, auditActor(c), {
      action: 'contact.erased',
      organizationId: access.organizationId,
      targetType: 'contact',
      targetId: contact_id,
      metadata: { counts: { ...counts } },
    });
    return c.json({ erased: true as const, counts }, 200);
  },
);
