import { createRoute } from '@hono/zod-openapi';
import { recordAudit } from '../core/audit';
import { readTranscriptionSetting, type StoredTranscription, updateTranscriptionSetting } from '../core/channels/transcription-settings';
import { bearerSecurity, createRouter, jsonBody, jsonContent, protectedErrors } from '../lib/openapi';
import { auditActor } from '../lib/request';
import { minRole } from '../middleware/auth';
import { OrgParamsSchema, TranscriptionSettingSchema, UpdateTranscriptionSettingSchema } from './organizations.schemas';

/**
 * /api/v1/organizations/{org_id}/settings/transcription: which model turns customers' voice notes
 * into text (core/channels/transcription.ts runs it), chosen by an admin.
 */
export const organizationsTranscriptionRouter = createRouter();
const tags = ['Organizations'];

const describeChoice = (choice: StoredTranscription | null) => (choice ? `${choice.provider ?? 'any'}:${choice.model}` : 'off');
// authenticate and withOrg come from organizationsRouter, which mounts this one.

organizationsTranscriptionRouter.openapi(
  createRoute({
    method: 'get',
    path: '/{org_id}/settings/transcription',
    tags,
    summary: 'The model that transcribes voice notes (admin)',
    security: bearerSecurity,
    request: { params: OrgParamsSchema },
    middleware: [minRole('admin')],
    responses: { 200: jsonContent(TranscriptionSettingSchema, 'The setting'), ...protectedErrors },
  }),
  async (c) => c.json(await readTranscriptionSetting(c.get('services'), c.get('org').organizationId), 200),
);

organizationsTranscriptionRouter.openapi(
  createRoute({
    method: 'put',
    path: '/{org_id}/settings/transcription',
    tags,
    summary: 'Choose the model that transcribes voice notes, or turn transcription off with null (admin)',
    description:
      'The provider must speak OpenAI\u2019s `/audio/transcriptions` (`openai`, `groq`, `compatible`) and the organization must hold its key (saved with `PUT /api/v1/provider-keys/{provider}`); otherwise 422 with the detail code `no_key`. Audio that arrives afterwards is transcribed; earlier voice notes keep their status.',
    security: bearerSecurity,
    request: { params: OrgParamsSchema, body: jsonBody(UpdateTranscriptionSettingSchema) },
    middleware: [minRole('admin')],
    responses: { 200: jsonContent(TranscriptionSettingSchema, 'The setting now'), ...protectedErrors },
  }),
  async (c) => {
    const { organizationId } = c.get('org');
    const services = c.get('services');
    const { before, after } = await updateTranscriptionSetting(services, organizationId, c.req.valid('json').transcription);
    await recordAudit(services.db, auditActor(c), {
      action: 'organization.transcription_updated',
      organizationId,
      targetType: 'organization',
      targetId: organizationId,
      metadata: { from: describeChoice(before), to: describeChoice(after) },
    });
    return c.json(await readTranscriptionSetting(services, organizationId), 200);
  },
);
