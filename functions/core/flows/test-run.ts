import type { Services } from '../../ports';
import { loadBotRuntime } from '../chat/bot-runtime';
import { ApiError } from '../../lib/errors';
import { createFlowHost } from './host';
import { runTurn } from './runtime';
import type { FlowDocument } from './schema';
import { initialState, type FlowState } from './state';
import { findFlow } from './store';

/**
 * The editor's test chat: the draft (or a given document) run by the production runtime, with
 * the state kept by the client instead of a conversation, and actions and webhooks recorded
 * rather than applied. Replaying from a step is sending back the session of that step.
 */
export interface TestSession {
  state: FlowState;
  history: Array<{ text: string; quickReply?: string }>;
}

const HISTORY_LIMIT = 200;

export async function testFlow(
  services: Services,
  organizationId: string,
  botId: string,
  flowId: string,
  input: { session?: TestSession; text?: string; quickReply?: string; document?: FlowDocument },
) {
  const flow = await findFlow(services, organizationId, botId, flowId);
  const bot = await loadBotRuntime(services, botId);
  if (!bot) throw new ApiError('not_found', 'Chatbot not found');
  const doc = input.document ?? flow.draft;
  const session: TestSession = input.session ?? { state: initialState(flow.id, null), history: [] };
  const finished = session.state.status !== 'waiting' && session.state.status !== 'running';
  // A finished test starts over, as a new conversation would.
  const state = finished ? initialState(flow.id, null) : session.state;
  const incoming = input.text !== undefined || input.quickReply !== undefined ? { text: input.text ?? '', quickReply: input.quickReply ?? null } : null;
  const language = bot.language === 'en' ? 'en' : 'es';
  const host = createFlowHost({ services, bot, channel: 'playground', language, conversationId: null });
  const result = await runTurn({ doc, state, incoming, host });
  const history = incoming ? [...session.history, { text: incoming.text, ...(input.quickReply ? { quickReply: input.quickReply } : {}) }].slice(-HISTORY_LIMIT) : session.history;
  return { session: { state: result.state, history }, replies: result.replies, steps: result.steps };
}
