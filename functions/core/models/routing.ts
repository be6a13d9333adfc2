import type { botModels, RoutingConfig, RoutingRule } from '../../../db/schema';

/**
 * Which toolbox model answers a message, and why. Pure: the chat turn (engine.ts) and the flows
 * runtime call it; the classifier model's call is passed in. Order: a flow node's task, then the
 * classifier model (mode `classifier`), then the bot's rules, then (classifier mode only, when the
 * model failed or is absent) the keyword classifier, then `general`. A task the toolbox has no
 * model for falls to `general`, and no `general` model to the bot's own model.
 */
export type ToolboxModel = Pick<typeof botModels.$inferSelect, 'provider' | 'modelId' | 'taskType' | 'enabled' | 'costInputPer1M' | 'costOutputPer1M'>;

export interface RoutableBot {
  model: string;
  routing: RoutingConfig;
  toolbox: ToolboxModel[];
}

export interface RoutedModel {
  /** Registry id `<provider>:<model>`. */
  model: string;
  /** The task whose model answers (after falling back to `general` when the asked one has none). */
  task: string;
  /** `flow`, `rule:<n>` (1-based), `classifier:<label>`, `keywords:<label>`, `default` or `bot_model` (empty toolbox). */
  reason: string;
}

export type Complexity = 'simple' | 'complex';

export interface MessageFacts {
  text: string;
  language: 'es' | 'en';
  channel: string;
}

export const modelIdOf = (entry: Pick<ToolboxModel, 'provider' | 'modelId'>) => `${entry.provider}:${entry.modelId}`;

/** What the toolbox answers with, the classifier aside (it labels, it does not answer). */
function answeringModels(bot: RoutableBot) {
  return bot.toolbox.filter((m) => m.enabled && m.taskType !== 'classifier');
}

/**
 * The model for a task name (exported for the flows runtime, whose AI steps name a task): the
 * first enabled model with that task, else the `general` one, else the bot's own model.
 */
export function pickModelForTask(bot: Pick<RoutableBot, 'model' | 'toolbox'>, task: string, reason = 'flow'): RoutedModel {
  const enabled = bot.toolbox.filter((m) => m.enabled);
  const exact = enabled.find((m) => m.taskType === task);
  if (exact) return { model: modelIdOf(exact), task, reason };
  const general = enabled.find((m) => m.taskType === 'general');
  if (general) return { model: modelIdOf(general), task: 'general', reason };
  return { model: bot.model, task: 'general', reason };
}

/**
 * The models to try in order for a routed choice: the routed model, then the bot's own model and
 * its fallback (the chain bots always had). The built-in extractive answerer is not a chat model.
 */
export function modelChain(bot: { model: string; fallbackModel: string | null }, routed: string): string[] {
  return [...new Set([routed, bot.model, ...(bot.fallbackModel ? [bot.fallbackModel] : [])])].filter((m) => m !== 'builtin:extractive');
}

/** Lower case without accents, so "Facturación" matches "facturacion". */
export function fold(text: string) {
  return text.toLowerCase().normalize('NFD').replace(/\p{Diacritic}/gu, '');
}

function containsWord(folded: string, word: string) {
  const w = fold(word).trim();
  if (!w) return false;
  // Whole words (or phrases): "api" must not match "rapido".
  const escaped = w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`(^|[^\\p{L}\\p{N}])${escaped}($|[^\\p{L}\\p{N}])`, 'u').test(folded);
}

export function ruleMatches(rule: RoutingRule, message: MessageFacts): boolean {
  const length = message.text.length;
  if (rule.minLength !== undefined && length < rule.minLength) return false;
  if (rule.maxLength !== undefined && length > rule.maxLength) return false;
  if (rule.language && rule.language !== message.language) return false;
  if (rule.channels?.length && !rule.channels.includes(message.channel)) return false;
  if (rule.words?.length) {
    const folded = fold(message.text);
    if (!rule.words.some((w) => containsWord(folded, w))) return false;
  }
  return true;
}

/** The first rule that matches, as its task and 1-based position. */
export function routeByRules(rules: RoutingRule[], message: MessageFacts): { task: string; reason: string } | null {
  const index = rules.findIndex((rule) => ruleMatches(rule, message));
  return index < 0 ? null : { task: rules[index].task, reason: `rule:${index + 1}` };
}

/** Signs that a message needs the stronger model: reasoning, troubleshooting, money disputes, integrations. */
const COMPLEX_WORDS = [
  // English
  'why', 'explain', 'compare', 'difference', 'differences', 'integrate', 'integration', 'api', 'webhook', 'error', 'bug', 'crash', 'not working',
  "doesn't work", 'does not work', 'refund', 'dispute', 'charged twice', 'contract', 'legal', 'gdpr', 'migrate', 'migration', 'configure',
  'step by step', 'troubleshoot', 'recommend', 'which plan', 'pros and cons', 'warranty claim', 'complaint', 'broken', 'damaged', 'cancel my subscription',
  // Spanish
  'por que', 'porque no', 'explica', 'explicar', 'explicame', 'comparar', 'compara', 'diferencia', 'diferencias', 'integrar', 'integracion', 'no funciona',
  'falla', 'fallo', 'reembolso', 'devolucion del dinero', 'cobrado dos veces', 'cobro duplicado', 'contrato', 'legal', 'rgpd', 'migrar', 'migracion',
  'configurar', 'configuracion', 'paso a paso', 'recomiendas', 'recomendarias', 'que plan', 'ventajas', 'reclamacion', 'queja', 'roto', 'danado', 'estropeado',
  'garantia', 'cancelar mi suscripcion', 'factura incorrecta',
  // Things that went wrong, in either language: a small model tends to answer these with a platitude.
  'fails', 'failing', 'failed', 'stuck', 'crashes', 'declined', 'missing', 'charged', 'never receive', 'duplicate', 'duplicates', 'lost', 'damaged', 'short by',
  'stopped', 'wrong', 'less than', 'higher than', 'cannot log in', 'penalty', 'calculated', 'options', 'compatible', 'choose', 'should i', 'would you recommend',
  'allergy', 'fever', 'claim', 'quote', 'report', 'transfer', 'how do i set up', 'how do we',
  'error', 'rechaza', 'faltan', 'cobrado', 'cobrar', 'no llega', 'no me llega', 'duplica', 'perdi', 'no me deja', 'penalizacion', 'calcula', 'opciones', 'compatible',
  'elegir', 'deberia', 'alergia', 'fiebre', 'reclamar', 'presupuesto', 'informe', 'cambiar el titular', 'se cierra', 'no sincroniza', 'no aparece', 'menos dinero',
  'no he recibido', 'no entiendo', 'ninguna solucion', 'nadie',
];

/** Short, factual asks a small model answers as well as a big one. */
const SIMPLE_WORDS = [
  'hello', 'hi', 'thanks', 'thank you', 'hours', 'open', 'opening', 'address', 'where', 'price', 'how much', 'phone', 'email', 'shipping cost', 'track',
  'hola', 'gracias', 'horario', 'abren', 'abierto', 'direccion', 'donde', 'precio', 'cuanto cuesta', 'cuanto vale', 'telefono', 'correo', 'envio', 'seguimiento',
];

/**
 * The classifier that needs no model (the fallback when the classifier model fails or is absent):
 * long messages, several questions or complex words are `complex`; short ones `simple`.
 */
export function keywordClassify(text: string): Complexity {
  const folded = fold(text);
  const complexHits = COMPLEX_WORDS.filter((w) => containsWord(folded, w)).length;
  const simpleHits = SIMPLE_WORDS.filter((w) => containsWord(folded, w)).length;
  const questions = (text.match(/\?/g) ?? []).length;
  const words = folded.split(/\s+/).filter(Boolean).length;
  let score = complexHits * 2 - simpleHits;
  if (words > 40) score += 2;
  else if (words > 22) score += 1;
  else if (words <= 8) score -= 1;
  if (questions >= 2) score += 1;
  return score >= 2 ? 'complex' : 'simple';
}

/** A label picks a task: `fast` for simple, `complex` for complex. */
export const taskForLabel = (label: Complexity) => (label === 'simple' ? 'fast' : 'complex');

export interface RouteOptions {
  /** A flow node's chosen task: it wins over every rule. */
  task?: string;
  /** Asks the classifier model; rejects (or returns null) when it fails. */
  classify?: (model: string, text: string) => Promise<Complexity | null>;
}

export async function routeMessage(bot: RoutableBot, message: MessageFacts, options: RouteOptions = {}): Promise<RoutedModel> {
  if (answeringModels(bot).length === 0) return { model: bot.model, task: 'general', reason: 'bot_model' };
  if (options.task) return pickModelForTask(bot, options.task, 'flow');
  const classifier = bot.routing.mode === 'classifier' ? bot.toolbox.find((m) => m.enabled && m.taskType === 'classifier') : undefined;
  if (classifier && options.classify) {
    const label = await options.classify(modelIdOf(classifier), message.text).catch(() => null);
    if (label) return pickModelForTask(bot, taskForLabel(label), `classifier:${label}`);
  }
  const byRule = routeByRules(bot.routing.rules, message);
  if (byRule) return pickModelForTask(bot, byRule.task, byRule.reason);
  if (bot.routing.mode === 'classifier') {
    const label = keywordClassify(message.text);
    return pickModelForTask(bot, taskForLabel(label), `keywords:${label}`);
  }
  return pickModelForTask(bot, 'general', 'default');
}

/**
 * Rules a new toolbox starts from (the dashboard offers them; the routing benchmark measures
 * them): long or troubleshooting messages to `complex`, short ones to `fast`.
 */
export const SUGGESTED_RULES: RoutingRule[] = [
  { minLength: 280, task: 'complex' },
  {
    words: [
      'error', 'not working', "doesn't work", 'refund', 'integrate', 'api', 'webhook', 'contract', 'compare', 'why', 'explain', 'broken', 'damaged', 'complaint', 'charged twice',
      'no funciona', 'reembolso', 'integrar', 'contrato', 'comparar', 'por que', 'explica', 'roto', 'reclamacion', 'queja', 'cobrado dos veces', 'factura incorrecta', 'garantia',
    ],
    task: 'complex',
  },
  { maxLength: 120, task: 'fast' },
];
