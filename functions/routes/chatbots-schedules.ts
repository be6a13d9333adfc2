import { createRoute, z } from '@hono/zod-openapi';
import { addSchedule, changeSchedule, listSchedules, removeSchedule } from '../core/chat/bot-schedules';
import { OrgHeaderSchema, bearerSecurity, createRouter, jsonBody, jsonContent, protectedErrors } from '../lib/openapi';
import { minRole } from '../middleware/auth';
import { BotParamsSchema, ScheduleInputSchema, ScheduleParamsSchema, ScheduleSchema } from './chatbots.schemas';

/** /api/v1/chatbots/{id}/schedules: business hours. Mounted by chatbots.ts, whose middleware authenticates. */
export const chatbotsSchedulesRouter = createRouter();
const tags = ['Chatbots'];

chatbotsSchedulesRouter.openapi(
  createRoute({
    method: 'get',
    path: '/{chatbot_id}/schedules',
    tags,
    summary: 'Business hours (in the organization\u2019s timezone); none means always open',
    security: bearerSecurity,
    request: { headers: OrgHeaderSchema, params: BotParamsSchema },
    responses: { 200: jsonContent(z.object({ data: z.array(ScheduleSchema), timezone: z.string() }), 'Intervals'), ...protectedErrors },
  }),
  async (c) => c.json(await listSchedules(c.get('services'), c.get('org').organizationId, c.req.valid('param').chatbot_id), 200),
);

chatbotsSchedulesRouter.openapi(
  createRoute({
    method: 'post',
    path: '/{chatbot_id}/schedules',
    tags,
    summary: 'Add an opening interval (admin)',
    security: bearerSecurity,
    middleware: [minRole('admin')] as const,
    request: { headers: OrgHeaderSchema, params: BotParamsSchema, body: jsonBody(ScheduleInputSchema) },
    responses: { 201: jsonContent(ScheduleSchema, 'Added'), ...protectedErrors },
  }),
  async (c) => c.json(await addSchedule(c.get('services'), c.get('org').organizationId, c.req.valid('param').chatbot_id, c.req.valid('json')), 201),
);

chatbotsSchedulesRouter.openapi(
  createRoute({
    method: 'put',
    path: '/{chatbot_id}/schedules/{schedule_id}',
    tags,
    summary: 'Change an opening interval (admin)',
    security: bearerSecurity,
    middleware: [minRole('admin')] as const,
    request: { headers: OrgHeaderSchema, params: ScheduleParamsSchema, body: jsonBody(ScheduleInputSchema) },
    responses: { 200: jsonContent(ScheduleSchema, 'Changed'), ...protectedErrors },
  }),
  async (c) => {
    const { chatbot_id, schedule_id } = c.req.valid('param');
    return c.json(await changeSchedule(c.get('services'), c.get('org').organizationId, chatbot_id, schedule_id, c.req.valid('json')), 200);
  },
);

chatbotsSchedulesRouter.openapi(
  createRoute({
    method: 'delete',
    path: '/{chatbot_id}/schedules/{schedule_id}',
    tags,
    summary: 'Remove an opening interval (admin)',
    security: bearerSecurity,
    middleware: [minRole('admin')] as const,
    request: { headers: OrgHeaderSchema, params: ScheduleParamsSchema },
    responses: { 204: { description: 'Removed' }, ...protectedErrors },
  }),
  async (c) => {
    const { chatbot_id, schedule_id } = c.req.valid('param');
    await removeSchedule(c.get('services'), c.get('org').organizationId, chatbot_id, schedule_id);
    return c.body(null, 204);
  },
);
