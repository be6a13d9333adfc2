import { z } from '@hono/zod-openapi';
import { createSelectSchema } from 'drizzle-zod';
import { contacts } from '../../db/schema';
import { ContactAttributesSchema } from '../core/conversations/json-columns';

/** Contacts: finding one and merging the same person on two channels (routes/contacts.ts). */
export const ContactParams = z.object({ contact_id: z.uuid() });

export const ContactSummarySchema = createSelectSchema(contacts)
  .pick({ id: true, channel: true, externalId: true, name: true, email: true, phone: true })
  .extend({ attributes: ContactAttributesSchema, conversationCount: z.number().int() })
  .openapi('ContactSummary');

export const ContactListSchema = z.object({ data: z.array(ContactSummarySchema) }).openapi('ContactList');

export const ContactSearchQuery = z.object({
  q: z.string().trim().max(200).optional().openapi({ description: 'Text in the name, email, phone or platform id' }),
  exclude: z.uuid().optional().openapi({ description: 'Leave this contact out (the one being merged into)' }),
});

export const MergeContactBody = z
  .object({ contactId: z.uuid().openapi({ description: 'The contact to merge into this one; it keeps only its channel identity' }) })
  .openapi('MergeContactBody');

const MergedContactSchema = createSelectSchema(contacts)
  .pick({ id: true, channel: true, externalId: true, name: true, email: true, phone: true, mergedIntoId: true })
  .extend({ attributes: ContactAttributesSchema });

export const MergeOutcomeSchema = z
  .object({ contact: MergedContactSchema, merged: MergedContactSchema, movedConversations: z.number().int() })
  .openapi('ContactMergeOutcome');
