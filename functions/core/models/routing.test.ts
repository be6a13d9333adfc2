import { describe, expect, it } from 'vitest';
import type { RoutingConfig } from '../../../db/schema';
import { labelOf } from './classifier';
import { keywordClassify, modelChain, pickModelForTask, routeMessage, ruleMatches, SUGGESTED_RULES, type ToolboxModel } from './routing';

const entry = (provider: string, modelId: string, taskType: string, enabled = true): ToolboxModel => ({
  provider,
  modelId,
  taskType,
  enabled,
  costInputPer1M: null,
  costOutputPer1M: null,
});

const toolbox = [entry('openai', 'gpt-4o-mini', 'general'), entry('openai', 'gpt-4o', 'complex'), entry('groq', 'llama-3.1-8b-instant', 'fast'), entry('groq', 'llama-3.1-8b-instant', 'classifier')];
const bot = (routing: RoutingConfig, models = toolbox) => ({ model: 'openai:gpt-4.1-mini', routing, toolbox: models });
const facts = (text: string, extra: Partial<{ language: 'es' | 'en'; channel: string }> = {}) => ({ text, language: extra.language ?? 'es', channel: extra.channel ?? 'web' });

describe('toolbox routing', () => {
  it('answers with the bot model while the toolbox is empty (or holds only a classifier)', async () => {
    expect(await routeMessage(bot({ mode: 'rules', rules: [] }, []), facts('hola'))).toEqual({ model: 'openai:gpt-4.1-mini', task: 'general', reason: 'bot_model' });
    const onlyClassifier = bot({ mode: 'classifier', rules: [] }, [entry('groq', 'x', 'classifier')]);
    expect((await routeMessage(onlyClassifier, facts('hola'))).reason).toBe('bot_model');
  });

  it('takes the first matching rule, by length, language, channel and words', async () => {
    const routing: RoutingConfig = {
      mode: 'rules',
      rules: [
        { channels: ['whatsapp'], task: 'fast' },
        { language: 'en', words: ['refund'], task: 'complex' },
        { minLength: 50, task: 'complex' },
      ],
    };
    expect(await routeMessage(bot(routing), facts('hola', { channel: 'whatsapp' }))).toEqual({ model: 'groq:llama-3.1-8b-instant', task: 'fast', reason: 'rule:1' });
    expect(await routeMessage(bot(routing), facts('I want a REFUND now', { language: 'en' }))).toEqual({ model: 'openai:gpt-4o', task: 'complex', reason: 'rule:2' });
    // The same word in Spanish does not satisfy a rule limited to English.
    expect((await routeMessage(bot(routing), facts('refund', { language: 'es' }))).reason).toBe('default');
    expect((await routeMessage(bot(routing), facts('x'.repeat(50)))).reason).toBe('rule:3');
    expect(await routeMessage(bot(routing), facts('¿horario?'))).toEqual({ model: 'openai:gpt-4o-mini', task: 'general', reason: 'default' });
  });

  it('matches words whole, ignoring case and accents', () => {
    const rule = { words: ['facturación', 'api'], task: 'complex' };
    expect(ruleMatches(rule, facts('problema con la FACTURACION'))).toBe(true);
    expect(ruleMatches(rule, facts('envío rápido'))).toBe(false);
    expect(ruleMatches(rule, facts('¿tenéis API?'))).toBe(true);
  });

  it('a flow task wins over the rules; a task without a model falls to general, then to the bot model', async () => {
    const routing: RoutingConfig = { mode: 'rules', rules: [{ minLength: 0, task: 'fast' }] };
    expect(await routeMessage(bot(routing), facts('hola'), { task: 'complex' })).toEqual({ model: 'openai:gpt-4o', task: 'complex', reason: 'flow' });
    expect(await routeMessage(bot(routing), facts('hola'), { task: 'summarize' })).toEqual({ model: 'openai:gpt-4o-mini', task: 'general', reason: 'flow' });
    expect(pickModelForTask({ model: 'builtin:extractive', toolbox: [entry('openai', 'gpt-4o', 'complex')] }, 'fast')).toEqual({ model: 'builtin:extractive', task: 'general', reason: 'flow' });
  });

  it('disabled models are skipped', () => {
    expect(pickModelForTask({ model: 'm:x', toolbox: [entry('openai', 'gpt-4o', 'complex', false), entry('openai', 'gpt-4o-mini', 'general')] }, 'complex').model).toBe('openai:gpt-4o-mini');
  });

  it('classifier mode asks the classifier model; when it fails, the rules, then the keyword classifier decide', async () => {
    const routing: RoutingConfig = { mode: 'classifier', rules: [{ words: ['factura'], task: 'complex' }] };
    const asked: string[] = [];
    const complex = async (model: string) => {
      asked.push(model);
      return 'complex' as const;
    };
    expect(await routeMessage(bot(routing), facts('hola'), { classify: complex })).toEqual({ model: 'openai:gpt-4o', task: 'complex', reason: 'classifier:complex' });
    expect(asked).toEqual(['groq:llama-3.1-8b-instant']);
    const failing = async () => {
      throw new Error('provider down');
    };
    expect((await routeMessage(bot(routing), facts('mi factura'), { classify: failing })).reason).toBe('rule:1');
    expect(await routeMessage(bot(routing), facts('hola, ¿qué horario tenéis?'), { classify: async () => null })).toEqual({
      model: 'groq:llama-3.1-8b-instant',
      task: 'fast',
      reason: 'keywords:simple',
    });
    // No classifier model in the toolbox: the keyword classifier.
    const noClassifier = toolbox.filter((m) => m.taskType !== 'classifier');
    const long = 'La integración con vuestra API no funciona desde ayer y el webhook devuelve un error 500, ¿por qué pasa y cómo lo configuro?';
    expect((await routeMessage(bot(routing, noClassifier), facts(long), { classify: complex })).reason).toBe('keywords:complex');
  });

  it('the keyword classifier separates a greeting from a troubleshooting request', () => {
    expect(keywordClassify('Hola, ¿a qué hora abrís?')).toBe('simple');
    expect(keywordClassify('What are your opening hours?')).toBe('simple');
    expect(keywordClassify('My API integration returns an error and the webhook is not working, why?')).toBe('complex');
    expect(keywordClassify('Me habéis cobrado dos veces y quiero un reembolso')).toBe('complex');
  });

  it('the suggested rules send short questions to fast and troubleshooting to complex', async () => {
    const routing: RoutingConfig = { mode: 'rules', rules: SUGGESTED_RULES };
    expect((await routeMessage(bot(routing), facts('¿Cuánto cuesta el envío?'))).task).toBe('fast');
    expect((await routeMessage(bot(routing), facts('El pedido llegó roto, ¿qué hago?'))).task).toBe('complex');
  });

  it('reads a classifier model’s label leniently', () => {
    expect(labelOf('Complex.')).toBe('complex');
    expect(labelOf(' SIMPLE')).toBe('simple');
    expect(labelOf('I am not sure')).toBeNull();
  });
});

describe('model chain', () => {
  it('tries the routed model, then the bot’s model and fallback, once each, never the extractive answerer', () => {
    expect(modelChain({ model: 'openai:gpt-4o-mini', fallbackModel: 'groq:llama-3.1-8b-instant' }, 'openai:gpt-4o')).toEqual(['openai:gpt-4o', 'openai:gpt-4o-mini', 'groq:llama-3.1-8b-instant']);
    expect(modelChain({ model: 'openai:gpt-4o', fallbackModel: 'openai:gpt-4o' }, 'openai:gpt-4o')).toEqual(['openai:gpt-4o']);
    expect(modelChain({ model: 'builtin:extractive', fallbackModel: null }, 'openai:gpt-4o')).toEqual(['openai:gpt-4o']);
  });
});
