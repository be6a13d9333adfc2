import { createRoute } from '@hono/zod-openapi';
import { addBotModel, changeBotModel, listBotModels, removeBotModel, setRouting } from '../core/models/toolbox';
import { OrgHeaderSchema, bearerSecurity, createRouter, errorResponse, jsonBody, jsonContent, protectedErrors } from '../lib/openapi';
import { minRole } from '../middleware/auth';
import { BotParamsSchema } from './chatbots.schemas';
import { BotModelChangeSchema, BotModelInputSchema, BotModelListSchema, BotModelParamsSchema, BotModelSchema, RoutingSchema } from './chatbots-models.schemas';

/**
 * /api/v1/chatbots/{id}/models: the bot's toolbox of models by task, and /routing: how one is
 * picked per message. Mounted by chatbots.ts, whose middleware authenticates.
 */
export const chatbotsModelsRouter = createRouter();
const tags = ['Chatbots'];

chatbotsModelsRouter.openapi(
  createRoute({
    method: 'get',
    path: '/{chatbot_id}/models',
    tags,
    summary: 'The bot\u2019s toolbox: models by task, and its routing rule',
    description: 'An empty toolbox answers every message with the bot\u2019s `model` (and `fallbackModel`), as before.',
    security: bearerSecurity,
    request: { headers: OrgHeaderSchema, params: BotParamsSchema },
    responses: { 200: jsonContent(BotModelListSchema, 'Toolbox'), ...protectedErrors },
  }),
  async (c) => c.json(await listBotModels(c.get('services'), c.get('org').organizationId, c.req.valid('param').chatbot_id), 200),
);

chatbotsModelsRouter.openapi(
  createRoute({
    method: 'post',
    path: '/{chatbot_id}/models',
    tags,
    summary: 'Add a model to the toolbox for a task (admin)',
    description:
      'Tasks: `general` (default), `complex`, `fast`, `classifier` (labels messages for the `classifier` routing mode) or a name a flow\u2019s AI step uses. The same model may serve several tasks; the same model twice for one task answers 409. Optional prices (USD per 1M tokens) take precedence over list prices in analytics.',
    security: bearerSecurity,
    middleware: [minRole('admin')] as const,
    request: { headers: OrgHeaderSchema, params: BotParamsSchema, body: jsonBody(BotModelInputSchema) },
    responses: { 201: jsonContent(BotModelSchema, 'Added'), 409: errorResponse('The model already has this task in the toolbox'), ...protectedErrors },
  }),
  async (c) => c.json(await addBotModel(c.get('services'), c.get('org').organizationId, c.req.valid('param').chatbot_id, c.req.valid('json')), 201),
);

chatbotsModelsRouter.openapi(
  createRoute({
    method: 'patch',
    path: '/{chatbot_id}/models/{model_entry_id}',
    tags,
    summary: 'Change a toolbox model\u2019s task, prices or whether it is enabled (admin)',
    security: bearerSecurity,
    middleware: [minRole('admin')] as const,
    request: { headers: OrgHeaderSchema, params: BotModelParamsSchema, body: jsonBody(BotModelChangeSchema) },
    responses: { 200: jsonContent(BotModelSchema, 'Changed'), 409: errorResponse('The model already has the new task in the toolbox'), ...protectedErrors },
  }),
  async (c) => {
    const { chatbot_id, model_entry_id } = c.req.valid('param');
    return c.json(await changeBotModel(c.get('services'), c.get('org').organizationId, chatbot_id, model_entry_id, c.req.valid('json')), 200);
  },
);

chatbotsModelsRouter.openapi(
  createRoute({
    method: 'delete',
    path: '/{chatbot_id}/models/{model_entry_id}',
    tags,
    summary: 'Remove a model from the toolbox (admin)',
    security: bearerSecurity,
    middleware: [minRole('admin')] as const,
    request: { headers: OrgHeaderSchema, params: BotModelParamsSchema },
    responses: { 204: { description: 'Removed' }, ...protectedErrors },
  }),
  async (c) => {
    const { chatbot_id, model_entry_id } = c.req.valid('param');
    await removeBotModel(c.get('services'), c.get('org').organizationId, chatbot_id, model_entry_id);
    return c.body(null, 204);
  },
);

chatbotsModelsRouter.openapi(
  createRoute({
    method: 'put',
    path: '/{chatbot_id}/routing',
    tags,
    summary: 'Set how the toolbox picks a model per message (admin)',
    description:
      'Each answer records the choice in its metadata: `model` (the one that answered), `task` and `routeReason` (`flow`, `rule:<n>`, `classifier:<label>`, `keywords:<label>`, `default` or `bot_model`). When the chosen model fails, the bot\u2019s `model` and then its `fallbackModel` answer.',
    security: bearerSecurity,
    middleware: [minRole('admin')] as const,
    request: { headers: OrgHeaderSchema, params: BotParamsSchema, body: jsonBody(RoutingSchema) },
    responses: { 200: jsonContent(RoutingSchema, 'Saved'), ...protectedErrors },
  }),
  async (c) => c.json(await setRouting(c.get('services'), c.get('org').organizationId, c.req.valid('param').chatbot_id, c.req.valid('json')), 200),
);
