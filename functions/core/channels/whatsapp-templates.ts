import type { Config } from '../../lib/config';
import { ApiError } from '../../lib/errors';
import type { Services } from '../../ports';
import type { WhatsAppCredentials } from './credentials';
import { graphCall } from './meta';
import type { PlatformResult } from './types';

/**
 * WhatsApp message templates: outside the 24-hour customer service window a business may only
 * send a template Meta approved. The list is read from the WhatsApp Business Account
 * (`GET /{waba-id}/message_templates?status=APPROVED`) and kept for a few minutes; a template is
 * sent as `type: template` with its variables as `components[].parameters`. We fill text
 * variables in the header and body (`{{1}}` or named `{{first_name}}`); templates that need media
 * headers or button variables are listed but marked unsupported.
 */
const CACHE_SECONDS = 300;
const cacheKey = (integrationId: string) => `wa-templates:${integrationId}`;
const PLACEHOLDER = /\{\{\s*([A-Za-z0-9_]+)\s*\}\}/g;

export interface TemplateComponent {
  type: string;
  format?: string;
  text?: string;
  buttons?: Array<{ type?: string; text?: string; url?: string }>;
}

export interface WhatsAppTemplate {
  name: string;
  language: string;
  category: string | null;
  /** Variable names in the order their values are given: `1`, `2`… or named ones. */
  variables: { header: string[]; body: string[] };
  header: string | null;
  body: string;
  footer: string | null;
  /** False when the template needs something we cannot fill (a media header, a button variable). */
  supported: boolean;
}

/** What a send names: the template, its language, and the values of its variables in order. */
export interface TemplateInput {
  name: string;
  language: string;
  variables?: { header?: string[]; body?: string[] };
}

/** Stored on the message (`metadata.template`) and sent as it is: Meta's wire shape. */
export interface TemplatePayload {
  name: string;
  language: { code: string };
  components: Array<{ type: 'header' | 'body'; parameters: Array<{ type: 'text'; text: string; parameter_name?: string }> }>;
}

function placeholders(text: string | undefined): string[] {
  if (!text) return [];
  return [...new Set([...text.matchAll(PLACEHOLDER)].map((m) => m[1]))];
}

function describe(raw: { name?: string; language?: string; category?: string; components?: TemplateComponent[] }): WhatsAppTemplate {
  const components = Array.isArray(raw.components) ? raw.components : [];
  const header = components.find((c) => c.type === 'HEADER');
  const body = components.find((c) => c.type === 'BODY');
  const footer = components.find((c) => c.type === 'FOOTER');
  const buttons = components.find((c) => c.type === 'BUTTONS');
  const mediaHeader = header !== undefined && header.format !== undefined && header.format !== 'TEXT';
  const buttonVariables = (buttons?.buttons ?? []).some((b) => placeholders(b.url).length > 0 || b.type === 'COPY_CODE' || b.type === 'FLOW');
  return {
    name: String(raw.name ?? ''),
    language: String(raw.language ?? ''),
    category: raw.category ?? null,
    variables: { header: mediaHeader ? [] : placeholders(header?.text), body: placeholders(body?.text) },
    header: mediaHeader ? null : (header?.text ?? null),
    body: body?.text ?? '',
    footer: footer?.text ?? null,
    supported: !mediaHeader && !buttonVariables && components.every((c) => ['HEADER', 'BODY', 'FOOTER', 'BUTTONS'].includes(c.type)),
  };
}

function missingAccount(): never {
  throw new ApiError(
    'conflict',
    'Templates are read from the WhatsApp Business Account: add its id (businessAccountId) to this channel\u2019s credentials.',
    { details: [{ path: 'credentials.businessAccountId', message: 'Required to list and send templates', code: 'custom' }] },
  );
}

/** The approved templates, from the cache or Graph (all pages, up to a few hundred). */
export async function listApprovedTemplates(services: Pick<Services, 'config' | 'kv'>, integrationId: string, credentials: WhatsAppCredentials): Promise<WhatsAppTemplate[]> {
  if (!credentials.businessAccountId) missingAccount();
  const cached = await services.kv.get<WhatsAppTemplate[]>(cacheKey(integrationId));
  if (cached) return cached;
  const templates: WhatsAppTemplate[] = [];
  let path: string | null = `${credentials.businessAccountId}/message_templates?status=APPROVED&fields=name,language,category,components&limit=100`;
  for (let page = 0; path && page < 5; page++) {
    const result: PlatformResult<{ data: { data?: unknown[]; paging?: { next?: string; cursors?: { after?: string } } } }> = await graphCall(services.config, path, credentials.accessToken);
    if (!result.ok) {
      throw new ApiError(result.credentialsRejected ? 'conflict' : 'service_unavailable', `WhatsApp did not list the templates: ${result.reason}`);
    }
    for (const raw of result.data.data ?? []) templates.push(describe(raw as Parameters<typeof describe>[0]));
    const after: string | undefined = result.data.paging?.next ? result.data.paging.cursors?.after : undefined;
    path = after ? `${credentials.businessAccountId}/message_templates?status=APPROVED&fields=name,language,category,components&limit=100&after=${encodeURIComponent(after)}` : null;
  }
  await services.kv.set(cacheKey(integrationId), templates, { ttlSeconds: CACHE_SECONDS });
  return templates;
}

export async function forgetTemplates(services: Pick<Services, 'kv'>, integrationId: string) {
  await services.kv.del(cacheKey(integrationId));
}

const fill = (text: string, names: string[], values: string[]) => text.replace(PLACEHOLDER, (whole, name: string) => {
  const index = names.indexOf(name);
  return index >= 0 ? values[index] : whole;
});

/**
 * Checks the values against the template and builds both what Meta receives and the text the
 * inbox shows. Every variable needs a value: Meta refuses a template with one missing.
 */
export function buildTemplate(template: WhatsAppTemplate, input: TemplateInput): { payload: TemplatePayload; text: string } {
  if (!template.supported) {
    throw new ApiError('validation_failed', `The template ${template.name} needs a media header or button values, which cannot be sent from here.`, {
      details: [{ path: 'name', message: 'Unsupported template', code: 'custom' }],
    });
  }
  const header = (input.variables?.header ?? []).map((v) => v.trim());
  const body = (input.variables?.body ?? []).map((v) => v.trim());
  const issues = [
    ...checkCount('variables.header', template.variables.header, header),
    ...checkCount('variables.body', template.variables.body, body),
  ];
  if (issues.length > 0) throw new ApiError('validation_failed', 'Every template variable needs a value', { details: issues });
  const parameters = (names: string[], values: string[]) =>
    names.map((name, i) => ({ type: 'text' as const, text: values[i], ...(/^\d+$/.test(name) ? {} : { parameter_name: name }) }));
  const components: TemplatePayload['components'] = [];
  if (template.variables.header.length > 0) components.push({ type: 'header', parameters: parameters(template.variables.header, header) });
  if (template.variables.body.length > 0) components.push({ type: 'body', parameters: parameters(template.variables.body, body) });
  const text = [template.header ? fill(template.header, template.variables.header, header) : null, fill(template.body, template.variables.body, body), template.footer]
    .filter(Boolean)
    .join('\n\n');
  return { payload: { name: template.name, language: { code: template.language }, components }, text };
}

function checkCount(path: string, names: string[], values: string[]) {
  if (values.length !== names.length) return [{ path, message: `Expected ${names.length} values, got ${values.length}`, code: 'custom' }];
  return values.flatMap((value, i) => (value ? [] : [{ path: `${path}.${i}`, message: `A value for {{${names[i]}}}`, code: 'custom' }]));
}

export function findTemplate(templates: WhatsAppTemplate[], input: Pick<TemplateInput, 'name' | 'language'>): WhatsAppTemplate {
  const found = templates.find((t) => t.name === input.name && t.language === input.language);
  if (!found) {
    throw new ApiError('validation_failed', `No approved template ${input.name} (${input.language}) on this WhatsApp account`, {
      details: [{ path: 'name', message: 'Not an approved template', code: 'custom' }],
    });
  }
  return found;
}

export async function sendWhatsAppTemplate(config: Config, credentials: WhatsAppCredentials, to: string, template: TemplatePayload): Promise<PlatformResult<{ externalId: string }>> {
  const result = await graphCall<{ messages?: Array<{ id?: string }> }>(config, `${credentials.phoneNumberId}/messages`, credentials.accessToken, {
    body: { messaging_product: 'whatsapp', recipient_type: 'individual', to, type: 'template', template },
  });
  if (!result.ok) return result;
  const id = result.data.messages?.[0]?.id;
  return id ? { ok: true, externalId: id } : { ok: false, transient: false, reason: 'WhatsApp accepted the template but returned no message id' };
}
