import { createRoute, z } from '@hono/zod-openapi';
import { listTemplates } from '../core/flows/templates';
import { bearerSecurity, createRouter, jsonContent, protectedErrors } from '../lib/openapi';
import { authenticate } from '../middleware/auth';
import { FlowTemplateSchema } from './flows.schemas';

/** /api/v1/flow-templates: the flows a team can start from (create one with `template` on POST …/flows). */
export const flowTemplatesRouter = createRouter();
flowTemplatesRouter.use('*', authenticate);

flowTemplatesRouter.openapi(
  createRoute({
    method: 'get',
    path: '/',
    tags: ['Flows'],
    summary: 'Flow templates, named in Spanish and English',
    security: bearerSecurity,
    responses: { 200: jsonContent(z.object({ data: z.array(FlowTemplateSchema) }), 'Templates'), ...protectedErrors },
  }),
  (c) => c.json({ data: listTemplates() }, 200),
);
