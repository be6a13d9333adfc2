import { describe, expect, it } from 'vitest';
import { flowDocument } from './schema';
import { TEMPLATE_IDS, templateDocument } from './templates';
import { validateFlow } from './validate';

const pos = { x: 0, y: 0 };
const doc = (nodes: unknown[], edges: Array<[string, string, string]>, extra: Record<string, unknown> = {}) =>
  flowDocument.parse({ nodes, edges: edges.map(([source, sourceHandle, target], i) => ({ id: `e${i}`, source, sourceHandle, target })), ...extra });
const start = { id: 'start', type: 'start', position: pos, data: {} };
const msg = (id: string, text = 'hi') => ({ id, type: 'message', position: pos, data: { text } });
const codes = (issues: ReturnType<typeof validateFlow>, severity = 'error') => issues.filter((i) => i.severity === severity).map((i) => `${i.code}@${i.nodeId ?? i.edgeId ?? ''}`);

describe('flow validation', () => {
  it.each(TEMPLATE_IDS)('template %s has no errors, in both languages', (id) => {
    for (const lang of ['es', 'en']) expect(codes(validateFlow(templateDocument(id, lang), { secrets: [] }))).toEqual([]);
  });

  it('needs exactly one start', () => {
    expect(codes(validateFlow(doc([msg('a')], [])))).toContain('no_start@');
    expect(codes(validateFlow(doc([start, { ...start, id: 'start2' }], [])))).toContain('many_starts@start2');
  });

  it('names unreachable nodes, edges to unknown nodes or outputs, and warns of dangling outputs', () => {
    const issues = validateFlow(doc([start, msg('a'), msg('lost')], [['start', 'next', 'a'], ['a', 'nope', 'start'], ['a', 'next', 'ghost']]));
    expect(codes(issues)).toEqual(expect.arrayContaining(['unreachable@lost', 'unknown_output@a', 'unknown_target@a']));
    expect(codes(issues, 'warning')).toContain('dangling_output@lost');
  });

  it('finds variables used but never set, and accepts declared and built-in ones', () => {
    const flow = doc([start, msg('a', 'Hola {{name}}, dijiste {{message}}; pedido {{order.id}}')], [['start', 'next', 'a']]);
    expect(codes(validateFlow(flow)).sort()).toEqual(['missing_variable@a', 'missing_variable@a']);
    const declared = doc([start, msg('a', 'Hola {{name}} {{order.id}}')], [['start', 'next', 'a']], { variables: [{ name: 'name' }, { name: 'order' }] });
    expect(codes(validateFlow(declared))).toEqual([]);
  });

  it('refuses a loop that never waits nor leaves, warns of one that leaves, accepts one that waits', () => {
    const closed = doc([start, msg('a'), msg('b')], [['start', 'next', 'a'], ['a', 'next', 'b'], ['b', 'next', 'a']]);
    expect(codes(validateFlow(closed))).toContain('loop_without_exit@a');
    const cond = { id: 'c', type: 'condition', position: pos, data: { rules: [{ id: 'r', when: { kind: 'channel', channels: ['web'] } }] } };
    const leaves = doc([start, cond, msg('a'), msg('out')], [['start', 'next', 'c'], ['c', 'rule:r', 'a'], ['a', 'next', 'c'], ['c', 'else', 'out']]);
    expect(codes(validateFlow(leaves))).toEqual([]);
    expect(codes(validateFlow(leaves), 'warning')).toContain('loop_without_wait@c');
    const ask = { id: 'q', type: 'input', position: pos, data: { prompt: '?', variable: 'v' } };
    const waits = doc([start, ask, msg('a')], [['start', 'next', 'q'], ['q', 'next', 'a'], ['a', 'next', 'q']]);
    expect(codes(validateFlow(waits))).toEqual([]);
  });

  it('names unknown tools and secrets', () => {
    const ai = { id: 'ai', type: 'ai', position: pos, data: { prompt: 'x', tools: ['lookup'] } };
    const call = { id: 'call', type: 'api_call', position: pos, data: { request: { url: 'https://x.test', auth: { kind: 'bearer', secret: 'K' } } } };
    const flow = doc([start, ai, call], [['start', 'next', 'ai'], ['ai', 'next', 'call']]);
    expect(codes(validateFlow(flow, { secrets: ['OTHER'] }))).toEqual(expect.arrayContaining(['unknown_tool@ai', 'unknown_secret@call']));
    expect(codes(validateFlow(flow, { secrets: ['K'] }))).toEqual(['unknown_tool@ai']);
  });

  it('gives each issue the params its message names: the node (with its label) and what is wrong', () => {
    const labelled = { ...msg('a', 'Hola {{name}}'), label: 'Saludo' };
    const issues = validateFlow(doc([start, labelled, msg('lost')], [['start', 'next', 'a']]));
    expect(issues).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ code: 'missing_variable', nodeId: 'a', params: { node: 'a', label: 'Saludo', variable: 'name' } }),
        expect.objectContaining({ code: 'dangling_output', nodeId: 'a', params: { node: 'a', label: 'Saludo', output: 'next' } }),
        expect.objectContaining({ code: 'unreachable', nodeId: 'lost', params: { node: 'lost' } }),
      ]),
    );
    for (const issue of issues) if (issue.nodeId) expect(issue.params.node).toBe(issue.nodeId);
    const closed = doc([start, msg('a'), msg('b')], [['start', 'next', 'a'], ['a', 'next', 'b'], ['b', 'next', 'a']]);
    expect(validateFlow(closed).find((i) => i.code === 'loop_without_exit')?.params.nodes.split(', ').sort()).toEqual(['a', 'b']);
  });
});
