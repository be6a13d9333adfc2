import { createRoute, z } from '@hono/zod-openapi';
import { orgStreamKey } from '../core/events/publish';
import { serveLiveStream } from '../core/events/stream';
import { OrgHeaderSchema, bearerSecurity, createRouter, protectedErrors } from '../lib/openapi';
import { authenticate, withOrg } from '../middleware/auth';

/**
 * The organization's live event stream for the dashboard: new messages, status and assignment
 * changes, handoff requests, document status. Server-Sent Events, resumable with `Last-Event-ID`.
 */
export const eventsRouter = createRouter();
eventsRouter.use('*', authenticate, withOrg);

eventsRouter.openapi(
  createRoute({
    method: 'get',
    path: '/',
    tags: ['Events'],
    summary: 'Live organization events (Server-Sent Events; resume with Last-Event-ID)',
    description:
      'Each event has `id` (send it back as `Last-Event-ID` to resume), `event` (the type, e.g. `message.created`, `conversation.updated`, `conversation.handoff`) and `data` (the JSON envelope `{ id, type, organizationId, createdAt, data }`). A `ready` event opens the stream. The server ends the response after a while; reconnect with the last id.',
    security: bearerSecurity,
    request: { headers: OrgHeaderSchema.extend({ 'last-event-id': z.string().max(64).optional() }) },
    responses: { 200: { description: 'text/event-stream', content: { 'text/event-stream': { schema: z.string() } } }, ...protectedErrors },
  }),
  (c) =>
    serveLiveStream(c, {
      key: orgStreamKey(c.get('org').organizationId),
      view: 'organization',
      lastEventId: c.req.header('last-event-id') ?? c.req.query('lastEventId'),
    }),
);
