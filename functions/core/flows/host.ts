import { generateText, isStepCount, jsonSchema, Output, tool, type ToolSet } from 'ai';
import type { Services } from '../../ports';
import type { BotRuntime } from '../chat/bot-runtime';
import { extractiveAnswer } from '../chat/extractive';
import { systemPrompt } from '../chat/prompt';
import { isOpen } from '../chat/schedule';
import { BUILTIN_MODEL } from '../models/registry';
import { decryptKeys } from '../models/org-keys';
import { searchKnowledge } from '../retrieval/search';
import { publishEvent } from '../events/publish';
import type { FlowAction } from './schema';
import type { FlowHost } from './runtime';
import { readSecrets } from './secrets';
import { loadPublishedFlow } from './store';
import { interpolate, type Variables } from './variables';
import { applyConversationAction } from './actions';

/**
 * The runtime's view of the world, built from the services: the bot's knowledge and model, the
 * SSRF-safe outbound port, the organization's secrets, webhooks, and (in production) the
 * conversation that actions change. The editor's test uses the same host with actions and
 * webhooks recorded instead of applied.
 */
const MAX_RESPONSE_BYTES = 1_000_000;

async function languageModel(services: Services, bot: BotRuntime) {
  if (bot.model === BUILTIN_MODEL) return null;
  const resolved = services.models.resolve(bot.model, await decryptKeys(services, bot.providerKeys));
  return resolved.kind === 'llm' ? resolved.model : null;
}

function sleep(ms: number, signal: AbortSignal) {
  return new Promise<void>((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      reject(signal.reason);
    }, { once: true });
  });
}

function extractionSchema(fields: Array<{ name: string; description: string; type: string }>) {
  return jsonSchema<Record<string, unknown>>({
    type: 'object',
    properties: Object.fromEntries(fields.map((f) => [f.name, { type: f.type, description: f.description }])),
    additionalProperties: false,
  });
}

export interface HostOptions {
  services: Services;
  bot: BotRuntime;
  channel: string;
  language: string;
  /** The conversation actions change; null in the editor's test (actions are only recorded). */
  conversationId: string | null;
  contactName?: string | null;
  now?: Date;
}

export function createFlowHost({ services, bot, channel, language, conversationId, contactName = null, now }: HostOptions): FlowHost {
  const organizationId = bot.organizationId;
  let secrets: Map<string, string> | null = null;
  let secretNames: string[] = [];
  return {
    channel,
    language,
    conversationId,
    contactName,
    isOpen: () => isOpen(bot.schedules, bot.timezone, now),

    async knowledge(query, signal) {
      if (bot.knowledgeBases.length === 0 || !query.trim()) return { answered: false, text: '' };
      const hits = await searchKnowledge(services, {
        organizationId,
        knowledgeBases: bot.knowledgeBases,
        query,
        topK: bot.retrievalTopK,
        scoreThreshold: bot.retrievalThreshold,
        mode: 'hybrid',
      });
      const best = hits.reduce((m, h) => Math.max(m, h.relevance), 0);
      if (hits.length === 0 || (bot.handoffConfidence && best < bot.handoffConfidence)) return { answered: false, text: '' };
      const model = await languageModel(services, bot);
      if (!model) {
        const extracted = extractiveAnswer(query, hits);
        return { answered: extracted.content !== '', text: extracted.content };
      }
      const result = await generateText({ model, system: systemPrompt(bot, hits), prompt: query, maxRetries: 0, abortSignal: signal, temperature: bot.temperature });
      return { answered: result.text.trim() !== '', text: result.text };
    },

    async classifyIntent(text, intent, examples, signal) {
      const model = await languageModel(services, bot);
      if (!model) return null;
      const result = await generateText({
        model,
        system: 'You classify a customer message. Answer with one word: yes or no.',
        prompt: `Intent: ${intent}\n${examples.length ? `Examples of this intent:\n- ${examples.join('\n- ')}\n` : ''}Message: ${text}\nDoes the message have this intent?`,
        maxRetries: 0,
        abortSignal: signal,
        temperature: 0,
      });
      return /^\s*(yes|s[ií])\b/i.test(result.text);
    },

    async ai(request) {
      const model = await languageModel(services, bot);
      if (!model) throw new Error('The chatbot has no language model configured');
      const tools: ToolSet = Object.fromEntries(
        request.tools.map((t) => [
          t.name,
          tool({
            description: t.description,
            inputSchema: jsonSchema<Record<string, unknown>>(t.inputSchema as Parameters<typeof jsonSchema>[0]),
            execute: (input: Record<string, unknown>) => request.callTool(t, input),
          }),
        ]),
      );
      const system = systemPrompt(bot, []);
      const result = await generateText({
        model,
        system,
        prompt: request.prompt,
        ...(request.tools.length ? { tools, stopWhen: isStepCount(request.maxSteps) } : {}),
        maxRetries: 0,
        abortSignal: request.signal,
        temperature: bot.temperature,
      });
      let extracted: Record<string, unknown> = {};
      if (request.extract.length > 0) {
        const fields = await generateText({
          model,
          system: 'Extract the requested fields from the conversation text. Leave out a field you cannot find.',
          prompt: `${request.prompt}\n\n${result.text}`,
          output: Output.object({ schema: extractionSchema(request.extract) }),
          maxRetries: 0,
          abortSignal: request.signal,
          temperature: 0,
        });
        extracted = (fields.output as Record<string, unknown> | undefined) ?? {};
      }
      return { text: result.text, extracted };
    },

    async http(request) {
      const response = await services.outbound.fetchText(request.url, {
        method: request.method,
        headers: request.headers,
        body: request.body,
        signal: request.signal,
        timeoutMs: request.timeoutMs,
        maxBytes: MAX_RESPONSE_BYTES,
      });
      return { status: response.status, body: response.body };
    },

    async secret(name) {
      if (!secrets || !secretNames.includes(name)) {
        secretNames = [...new Set([...secretNames, name])];
        secrets = await readSecrets(services, organizationId, secretNames);
      }
      return secrets.get(name);
    },

    async applyAction(action: FlowAction, variables: Variables) {
      if (!conversationId) return { simulated: true, action: describeAction(action, variables) };
      return applyConversationAction(services, organizationId, conversationId, action, variables);
    },

    async emitWebhook(event, data) {
      if (!conversationId) return { simulated: true };
      await publishEvent(services, organizationId, 'flow.event', { event, botId: bot.id, conversationId, channel, variables: data });
      return { emitted: true };
    },

    loadFlow: (flowId) => loadPublishedFlow(services, organizationId, bot.id, flowId),
    sleep,
  };
}

function describeAction(action: FlowAction, variables: Variables) {
  if (action.kind !== 'set_attributes') return action;
  return { ...action, attributes: action.attributes.map((a) => ({ key: a.key, value: interpolate(a.value, variables) })) };
}

