import { z } from '@hono/zod-openapi';
import { namedSchema } from '../lib/openapi';
import { flowDocument, flowIssue } from '../core/flows/schema';
import { flowReply, flowState, flowStep } from '../core/flows/state';
import { TEMPLATE_IDS } from '../core/flows/templates';

/** The flows API's contract (see _prompts/flows-contract.md): documents are the shared zod schema. */
export const FlowParamsSchema = z.object({
  chatbot_id: z.uuid().openapi({ param: { name: 'chatbot_id', in: 'path' } }),
  flow_id: z.uuid().openapi({ param: { name: 'flow_id', in: 'path' } }),
});
export const FlowVersionParamsSchema = FlowParamsSchema.extend({
  version: z.coerce.number().int().min(1).openapi({ param: { name: 'version', in: 'path' }, example: 1 }),
});

export const FlowDocumentSchema = namedSchema(flowDocument, 'FlowDocument');
export const FlowIssueSchema = namedSchema(flowIssue, 'FlowIssue');
const iso = z.string().openapi({ format: 'date-time' });

export const FlowSchema = z
  .object({
    id: z.uuid(),
    botId: z.uuid(),
    name: z.string(),
    description: z.string(),
    isEntry: z.boolean().openapi({ description: 'The bot\u2019s entry flow: answers every conversation once published' }),
    draft: FlowDocumentSchema,
    draftRevision: z.number().int(),
    publishedVersion: z.number().int().nullable(),
    createdAt: iso,
    updatedAt: iso,
  })
  .openapi('Flow');

export const FlowVersionSummarySchema = z
  .object({ version: z.number().int(), publishedAt: iso, publishedBy: z.uuid().nullable() })
  .openapi('FlowVersionSummary');
export const FlowVersionSchema = z
  .object({ flowId: z.uuid(), version: z.number().int(), document: FlowDocumentSchema, publishedAt: iso, publishedBy: z.uuid().nullable() })
  .openapi('FlowVersion');

export const TemplateIdSchema = z.enum(TEMPLATE_IDS).openapi('FlowTemplateId');
const bilingual = z.object({ es: z.string(), en: z.string() });
export const FlowTemplateSchema = z.object({ id: TemplateIdSchema, name: bilingual, description: bilingual }).openapi('FlowTemplate');

export const CreateFlowSchema = z
  .object({
    name: z.string().trim().min(1).max(120),
    description: z.string().max(1000).optional(),
    template: TemplateIdSchema.optional(),
    document: FlowDocumentSchema.optional(),
  })
  .openapi('CreateFlow');
export const UpdateFlowSchema = z
  .object({ name: z.string().trim().min(1).max(120).optional(), description: z.string().max(1000).optional(), isEntry: z.boolean().optional() })
  .openapi('UpdateFlow');
export const SaveDraftSchema = z
  .object({ document: FlowDocumentSchema, baseRevision: z.number().int().min(0).optional().openapi({ description: 'The draftRevision this copy was loaded at; a newer one answers 409' }) })
  .openapi('SaveFlowDraft');
export const ValidateFlowSchema = z.object({ document: FlowDocumentSchema.optional() }).openapi('ValidateFlow');
export const FlowIssuesSchema = z.object({ issues: z.array(FlowIssueSchema) }).openapi('FlowIssues');

export const FlowStateSchema = namedSchema(flowState, 'FlowState');
export const TestSessionSchema = z
  .object({
    state: FlowStateSchema,
    /** The visitor messages so far: replaying from a step is resending an earlier session. */
    history: z.array(z.object({ text: z.string().max(4000), quickReply: z.string().max(200).optional() })).max(200),
  })
  .openapi('FlowTestSession');
export const FlowReplySchema = namedSchema(flowReply, 'FlowReply');
export const FlowStepSchema = namedSchema(flowStep, 'FlowStep');
export const FlowTestBodySchema = z
  .object({
    session: TestSessionSchema.optional(),
    text: z.string().max(4000).optional(),
    quickReply: z.string().max(200).optional(),
    document: FlowDocumentSchema.optional(),
  })
  .openapi('FlowTestRequest');
export const FlowTestResultSchema = z
  .object({ session: TestSessionSchema, replies: z.array(FlowReplySchema), steps: z.array(FlowStepSchema) })
  .openapi('FlowTestResult');

export const FlowAnalyticsQuerySchema = z.object({
  from: z.iso.date().optional().openapi({ example: '2026-11-01' }),
  to: z.iso.date().optional().openapi({ example: '2026-11-30' }),
});
export const FlowAnalyticsSchema = z
  .object({
    nodes: z.array(z.object({ nodeId: z.string(), reached: z.number().int(), droppedOff: z.number().int() })),
    outcomes: z.object({ completed: z.number().int(), handedOff: z.number().int(), abandoned: z.number().int() }),
  })
  .openapi('FlowAnalytics');

export const SecretNameSchema = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_.-]{0,99}$/, 'Letters, digits, _ . - (starting with a letter or _)')
  .openapi({ example: 'ORDERS_API_TOKEN' });
export const SecretSchema = z.object({ name: z.string(), createdAt: iso, updatedAt: iso }).openapi('Secret');
export const SecretListSchema = z.object({ data: z.array(SecretSchema) });
export const CreateSecretSchema = z.object({ name: SecretNameSchema, value: z.string().min(1).max(10_000) }).openapi('CreateSecret');
export const SecretParamsSchema = z.object({ name: SecretNameSchema.openapi({ param: { name: 'name', in: 'path' } }) });
