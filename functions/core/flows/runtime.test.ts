import { describe, expect, it } from 'vitest';
import { runTurn, type FlowHost } from './runtime';
import { flowDocument } from './schema';
import { initialState } from './state';

/** A host whose world is in memory: no knowledge, no model, HTTP answered by `http`. */
function host(overrides: Partial<FlowHost> = {}): FlowHost {
  return {
    channel: 'web',
    language: 'es',
    conversationId: null,
    contactName: null,
    isOpen: () => true,
    knowledge: async () => ({ answered: false, text: '' }),
    classifyIntent: async () => null,
    ai: async () => ({ text: '', extracted: {} }),
    http: async () => ({ status: 200, body: '{}' }),
    secret: async () => undefined,
    applyAction: async (action) => action,
    emitWebhook: async () => ({}),
    loadFlow: async () => null,
    sleep: async () => {},
    ...overrides,
  };
}
const pos = { x: 0, y: 0 };
const doc = (nodes: unknown[], edges: Array<[string, string, string]>, settings?: Record<string, number>) =>
  flowDocument.parse({ nodes, edges: edges.map(([source, sourceHandle, target], i) => ({ id: `e${i}`, source, sourceHandle, target })), ...(settings ? { settings } : {}) });
const start = { id: 'start', type: 'start', position: pos, data: {} };
const msg = (id: string, text = 'hi') => ({ id, type: 'message', position: pos, data: { text } });

describe('flow runtime', () => {
  it('stops a loop at the step limit of one message', async () => {
    const flow = doc([start, msg('a'), msg('b')], [['start', 'next', 'a'], ['a', 'next', 'b'], ['b', 'next', 'a']], { stepLimit: 7, nodeTimeoutMs: 1000 });
    const result = await runTurn({ doc: flow, state: initialState('f', 1), incoming: { text: 'hola' }, host: host() });
    expect(result.state.status).toBe('stopped');
    expect(result.steps.filter((s) => !s.error)).toHaveLength(7);
    expect(result.steps.at(-1)!.error).toMatch(/more than 7 steps/);
  });

  it('times a node out and takes its error output', async () => {
    const call = { id: 'call', type: 'api_call', position: pos, data: { request: { url: 'https://slow.test/x' } } };
    const flow = doc([start, call, msg('ok', 'bien'), msg('ko', 'fallo')], [['start', 'next', 'call'], ['call', 'success', 'ok'], ['call', 'error', 'ko']], { stepLimit: 25, nodeTimeoutMs: 100 });
    // The API never answers: only the node's deadline can end the wait.
    const never = host({ http: (request) => new Promise((_, reject) => request.signal.addEventListener('abort', () => reject(request.signal.reason))) });
    const result = await runTurn({ doc: flow, state: initialState('f', 1), incoming: { text: 'x' }, host: never });
    expect(result.steps.find((s) => s.nodeId === 'call')).toMatchObject({ output: 'error', error: expect.stringMatching(/longer than 100 ms/) });
    expect(result.replies.map((r) => r.text)).toEqual(['fallo']);
  });

  it('sends a failing API call down its error output and maps a good answer into variables', async () => {
    const call = {
      id: 'call',
      type: 'api_call',
      position: pos,
      data: { request: { method: 'POST', url: 'https://api.test/orders/{{message}}', body: '{"q":"{{message}}"}' }, mapping: [{ variable: 'state', path: 'order.state' }], statusVariable: 'code' },
    };
    const flow = doc([start, call, msg('ok', 'Estado: {{state}}'), msg('ko', 'Error {{code}}')], [['start', 'next', 'call'], ['call', 'success', 'ok'], ['call', 'error', 'ko']]);
    const seen: Array<{ url: string; body?: string }> = [];
    const failing = await runTurn({ doc: flow, state: initialState('f', 1), incoming: { text: 'A/1' }, host: host({ http: async (r) => (seen.push(r), { status: 503, body: 'down' }) }) });
    expect(failing.replies.map((r) => r.text)).toEqual(['Error 503']);
    expect(seen[0]).toEqual(expect.objectContaining({ url: 'https://api.test/orders/A%2F1', body: '{"q":"A/1"}' }));
    const working = await runTurn({ doc: flow, state: initialState('f', 1), incoming: { text: '7' }, host: host({ http: async () => ({ status: 200, body: '{"order":{"state":"enviado"}}' }) }) });
    expect(working.replies.map((r) => r.text)).toEqual(['Estado: enviado']);
  });

  it('waits at an input, re-prompts an invalid answer, then takes invalid once retries are used', async () => {
    const input = { id: 'mail', type: 'input', position: pos, data: { prompt: '¿Email?', variable: 'email', validation: 'email', retries: 1 } };
    const flow = doc([start, input, msg('ok', 'Gracias {{email}}'), msg('bad', 'Vale, sin email')], [['start', 'next', 'mail'], ['mail', 'next', 'ok'], ['mail', 'invalid', 'bad']]);
    const h = host();
    const first = await runTurn({ doc: flow, state: initialState('f', 1), incoming: { text: 'hola' }, host: h });
    expect(first.state).toMatchObject({ status: 'waiting', waiting: { nodeId: 'mail', retries: 0 } });
    const retry = await runTurn({ doc: flow, state: first.state, incoming: { text: 'nope' }, host: h });
    expect(retry.state.waiting).toEqual({ nodeId: 'mail', retries: 1 });
    expect(retry.replies[0]!.text).toMatch(/email/);
    const given = await runTurn({ doc: flow, state: retry.state, incoming: { text: 'Ana@Example.com' }, host: h });
    expect(given.replies.map((r) => r.text)).toEqual(['Gracias ana@example.com']);
    const out = await runTurn({ doc: flow, state: retry.state, incoming: { text: 'still no' }, host: h });
    expect(out.replies.map((r) => r.text)).toEqual(['Vale, sin email']);
    expect(out.state.status).toBe('completed');
  });

  it('branches on intent by keywords when there is no model, and on business hours', async () => {
    const cond = {
      id: 'c',
      type: 'condition',
      position: pos,
      data: { rules: [{ id: 'order', when: { kind: 'intent', intent: 'order_status', examples: ['dónde está mi pedido'] } }, { id: 'closed', when: { kind: 'business_hours', open: false } }] },
    };
    const flow = doc([start, cond, msg('o', 'pedido'), msg('cl', 'cerrado'), msg('e', 'otro')], [['start', 'next', 'c'], ['c', 'rule:order', 'o'], ['c', 'rule:closed', 'cl'], ['c', 'else', 'e']]);
    const run = (text: string, open = true) => runTurn({ doc: flow, state: initialState('f', 1), incoming: { text }, host: host({ isOpen: () => open }) });
    expect((await run('¿Dónde está mi pedido 123?')).replies[0]!.text).toBe('pedido');
    expect((await run('hola', false)).replies[0]!.text).toBe('cerrado');
    expect((await run('hola')).replies[0]!.text).toBe('otro');
  });
});
