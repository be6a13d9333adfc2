// `npm run bench:routing`: the toolbox router over a labeled set of 200 customer messages
// (scripts/fixtures/routing-eval.ts, Spanish and English, labeled simple/complex). Three routers:
//   - rules: the suggested rules (core/models/routing.ts SUGGESTED_RULES), unmatched → general;
//   - keywords: classifier mode with the classifier model failing or absent and no rules (the
//     keyword classifier alone: simple → fast, complex → complex);
//   - rules+keywords: classifier mode with the suggested rules, the classifier model failing.
// For each: how often each model is chosen, routing accuracy against the labels (a message counts
// as routed right when complex ones reach the `complex` model and simple ones do not), and the
// cost saved against always using the `complex` model, from a token estimate and list prices.
// No network, no database: the router is a pure function (the chat turn calls the same one).
import { MODEL_PRICES } from '../functions/core/analytics/costs';
import { routeMessage, SUGGESTED_RULES, type RoutableBot, type ToolboxModel } from '../functions/core/models/routing';
import type { RoutingConfig } from '../db/schema';
import { ROUTING_EVAL, type Label } from './fixtures/routing-eval';

const entry = (provider: string, modelId: string, taskType: string): ToolboxModel => ({ provider, modelId, taskType, enabled: true, costInputPer1M: null, costOutputPer1M: null });

const TOOLBOX: ToolboxModel[] = [
  entry('openai', 'gpt-4o-mini', 'general'),
  entry('openai', 'gpt-4o', 'complex'),
  entry('groq', 'llama-3.1-8b-instant', 'fast'),
  entry('groq', 'llama-3.1-8b-instant', 'classifier'),
];
const COMPLEX_MODEL = 'openai:gpt-4o';

/**
 * Tokens of one grounded answer: the system prompt with instructions and ~4 retrieved passages
 * (about 1,100 tokens), a few turns of history (about 300), the message itself (4 characters a
 * token); the answer: ~90 tokens for a simple ask, ~260 for a complex one.
 */
const PROMPT_OVERHEAD_TOKENS = 1400;
const outputTokens = (label: Label) => (label === 'simple' ? 90 : 260);
const inputTokens = (text: string) => PROMPT_OVERHEAD_TOKENS + Math.ceil(text.length / 4);

function cost(model: string, input: number, output: number) {
  const price = MODEL_PRICES[model];
  if (!price) throw new Error(`No list price for ${model}`);
  return (input * price.inputPerMillion + output * price.outputPerMillion) / 1_000_000;
}

const ROUTERS: Array<{ name: string; routing: RoutingConfig }> = [
  { name: 'rules', routing: { mode: 'rules', rules: SUGGESTED_RULES } },
  { name: 'keywords', routing: { mode: 'classifier', rules: [] } },
  { name: 'rules+keywords', routing: { mode: 'classifier', rules: SUGGESTED_RULES } },
];

const failingClassifier = async () => null;
const pct = (n: number, d: number) => `${((100 * n) / d).toFixed(1)}%`;

async function evaluate(routing: RoutingConfig) {
  const bot: RoutableBot = { model: 'openai:gpt-4o-mini', routing, toolbox: TOOLBOX };
  const chosen = new Map<string, number>();
  let right = 0;
  let complexRight = 0;
  let simpleRight = 0;
  let routedCost = 0;
  let alwaysComplexCost = 0;
  const byLanguage = { es: { right: 0, total: 0 }, en: { right: 0, total: 0 } };
  const misses: string[] = [];
  for (const message of ROUTING_EVAL) {
    const route = await routeMessage(bot, { text: message.text, language: message.language, channel: 'web' }, { classify: failingClassifier });
    chosen.set(route.model, (chosen.get(route.model) ?? 0) + 1);
    const toComplex = route.model === COMPLEX_MODEL;
    const ok = (message.label === 'complex') === toComplex;
    if (ok) right += 1;
    else misses.push(`${message.label.padEnd(7)} → ${route.task.padEnd(7)} ${message.text}`);
    if (ok && message.label === 'complex') complexRight += 1;
    if (ok && message.label === 'simple') simpleRight += 1;
    byLanguage[message.language].total += 1;
    if (ok) byLanguage[message.language].right += 1;
    const input = inputTokens(message.text);
    const output = outputTokens(message.label);
    routedCost += cost(route.model, input, output);
    alwaysComplexCost += cost(COMPLEX_MODEL, input, output);
  }
  return { chosen, right, complexRight, simpleRight, routedCost, alwaysComplexCost, byLanguage, misses };
}

async function main() {
  const total = ROUTING_EVAL.length;
  const complexCount = ROUTING_EVAL.filter((m) => m.label === 'complex').length;
  console.log(`Routing benchmark: ${total} messages (${complexCount} complex, ${total - complexCount} simple; ${ROUTING_EVAL.filter((m) => m.language === 'es').length} es, ${ROUTING_EVAL.filter((m) => m.language === 'en').length} en)`);
  console.log(`Toolbox: ${TOOLBOX.filter((m) => m.taskType !== 'classifier').map((m) => `${m.taskType}=${m.provider}:${m.modelId}`).join(', ')}`);
  console.log(`Token estimate per answer: ${PROMPT_OVERHEAD_TOKENS} + message/4 input; ${outputTokens('simple')} (simple) / ${outputTokens('complex')} (complex) output; list prices from core/analytics/costs.ts\n`);
  for (const { name, routing } of ROUTERS) {
    const r = await evaluate(routing);
    console.log(`== ${name}`);
    for (const [model, count] of [...r.chosen.entries()].sort((a, b) => b[1] - a[1])) console.log(`  ${model.padEnd(28)} ${String(count).padStart(4)}  ${pct(count, total)}`);
    console.log(`  accuracy ${pct(r.right, total)} (es ${pct(r.byLanguage.es.right, r.byLanguage.es.total)}, en ${pct(r.byLanguage.en.right, r.byLanguage.en.total)})`);
    console.log(`  complex → complex model ${r.complexRight}/${complexCount} (${pct(r.complexRight, complexCount)}); simple kept off it ${r.simpleRight}/${total - complexCount} (${pct(r.simpleRight, total - complexCount)})`);
    const saved = r.alwaysComplexCost - r.routedCost;
    console.log(
      `  cost $${r.routedCost.toFixed(4)} vs $${r.alwaysComplexCost.toFixed(4)} always ${COMPLEX_MODEL}: saved $${saved.toFixed(4)} (${pct(saved, r.alwaysComplexCost)}); per 100k messages $${((saved / total) * 100_000).toFixed(0)} saved`,
    );
    if (process.env.BENCH_ROUTING_VERBOSE === '1') for (const miss of r.misses) console.log(`    miss: ${miss}`);
    console.log('');
  }
}

await main();
