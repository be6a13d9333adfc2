import { createRoute, z } from '@hono/zod-openapi';
import { recordAudit } from '../core/audit';
import { contactAvatarResponse } from '../core/contacts/avatar';
import { mergeContacts, searchContacts } from '../core/contacts/merge';
import type { ContactAttributes } from '../core/conversations/json-columns';
import { OrgHeaderSchema, bearerSecurity, createRouter, errorResponse, jsonBody, jsonContent, protectedErrors } from '../lib/openapi';
import { auditActor } from '../lib/request';
import { authenticate, minRole, withOrg } from '../middleware/auth';
import { contactDataRouter } from './privacy';
import { ContactListSchema, ContactParams, ContactSearchQuery, MergeContactBody, MergeOutcomeSchema } from './contacts.schemas';

/**
 * /api/v1/contacts: find contacts, and merge the same person on two channels into one (agents and
 * up; recorded in the audit log). The merged contact's conversations move to the kept one, and its
 * channel identity stays so its next messages land there too.
 */
export const contactsRouter = createRouter();
contactsRouter.use('*', authenticate, withOrg);
// Export and erasure (GDPR-style requests) live with the privacy routes.
contactsRouter.route('/', contactDataRouter);

const tags = ['Contacts'];

contactsRouter.openapi(
  createRoute({
    method: 'get',
    path: '/',
    tags,
    summary: 'Find contacts (merged ones are left out), most recently seen first',
    security: bearerSecurity,
    request: { headers: OrgHeaderSchema, query: ContactSearchQuery },
    responses: { 200: jsonContent(ContactListSchema, 'Up to 20 contacts'), ...protectedErrors },
  }),
  async (c) => {
    const query = c.req.valid('query');
    const rows = await searchContacts(c.get('services'), c.get('org').organizationId, { q: query.q, excludeId: query.exclude });
    return c.json({ data: rows.map((row) => ({ ...row, attributes: row.attributes as ContactAttributes })) }, 200);
  },
);

contactsRouter.openapi(
  createRoute({
    method: 'get',
    path: '/{contact_id}/avatar',
    tags,
    summary: 'The contact\u2019s profile picture (from its channel), or 404 when it has none',
    description: 'Read from the platform\u2019s URL (Messenger and Instagram profiles) and passed on as an image; the inbox shows initials on a 404.',
    security: bearerSecurity,
    request: { headers: OrgHeaderSchema, params: ContactParams },
    responses: {
      200: { description: 'The picture', content: { 'image/jpeg': { schema: z.string().openapi({ format: 'binary' }) } } },
      ...protectedErrors,
    },
  }),
  async (c) => contactAvatarResponse(c.get('services'), c.get('org').organizationId, c.req.valid('param').contact_id) as never,
);

contactsRouter.openapi(
  createRoute({
    method: 'post',
    path: '/{contact_id}/merge',
    tags,
    summary: 'Merge another contact into this one (same person, another channel)',
    description:
      'Conversations (with their messages), attributes, and the name, email and phone this contact lacks move here. The merged contact stays only as its channel identity: the person\u2019s next message on that channel lands on this contact. Cannot be undone from the API.',
    security: bearerSecurity,
    middleware: [minRole('agent')] as const,
    request: { headers: OrgHeaderSchema, params: ContactParams, body: jsonBody(MergeContactBody) },
    responses: {
      200: jsonContent(MergeOutcomeSchema, 'The kept contact, the merged one, and how many conversations moved'),
      409: errorResponse('One of the contacts was already merged into another'),
      ...protectedErrors,
    },
  }),
  async (c) => {
    const services = c.get('services');
    const organizationId = c.get('org').organizationId;
    const { contact_id } = c.req.valid('param');
    const outcome = await mergeContacts(services, organizationId, contact_id, c.req.valid('json').contactId);
    await recordAudit(services.db, auditActor(c), {
      action: 'contact.merged',
      organizationId,
      targetType: 'contact',
      targetId: contact_id,
      metadata: { mergedContactId: outcome.merged.id, channel: outcome.merged.channel, conversations: outcome.movedConversations },
    });
    const view = (row: typeof outcome.contact) => ({
      id: row.id,
      channel: row.channel,
      externalId: row.externalId,
      name: row.name,
      email: row.email,
      phone: row.phone,
      mergedIntoId: row.mergedIntoId,
      attributes: row.attributes as ContactAttributes,
    });
    return c.json({ contact: view(outcome.contact), merged: view(outcome.merged), movedConversations: outcome.movedConversations }, 200);
  },
);
