import { describe, expect, it } from 'vitest';
import { FLOW_ISSUE_CODES, flowDocument, type FlowIssue } from '../../../functions/core/flows/schema';
import { validateFlow } from '../../../functions/core/flows/validate';
import { schemaProblems } from './flow-editor';
import { errorsFirst, issueMessageKey, issueText, ISSUE_MESSAGE_KEYS } from './flow-issues';
import { translate, type Locale } from './i18n';
import { en, es } from './messages';

const LOCALES: Locale[] = ['en', 'es'];
/** Every param any issue can carry, so a message can be rendered whole. */
const ALL_PARAMS = { node: 'ask_email', label: 'Email', output: 'next', variable: 'email', tool: 'orders', secret: 'SHOP_KEY', edge: 'e1', missing: 'gone', nodes: 'a, b', rule: 'vip', field: 'prompt' };
const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe('validation messages', () => {
  it('every issue code has its own text in English and Spanish', () => {
    for (const code of FLOW_ISSUE_CODES) {
      const key = ISSUE_MESSAGE_KEYS[code];
      expect(key, code).toBeDefined();
      expect(en[key], `en ${code}`).toBeTruthy();
      expect(es[key], `es ${code}`).toBeTruthy();
      expect(es[key], `es ${code} is not translated`).not.toBe(en[key]);
    }
    expect(new Set(Object.values(ISSUE_MESSAGE_KEYS)).size).toBe(FLOW_ISSUE_CODES.length);
  });

  it('both languages use the same params, and every param is filled', () => {
    for (const code of FLOW_ISSUE_CODES) {
      // `invalid_config` outside a node has its own wording, without a node.
      const variants = code === 'invalid_config' ? [ALL_PARAMS, { field: 'edges.0.target' }] : [ALL_PARAMS];
      for (const params of variants) {
        const key = issueMessageKey({ code, params });
        expect(placeholders(es[key]), code).toEqual(placeholders(en[key]));
        for (const locale of LOCALES) {
          const text = issueText((k, vars) => translate(locale, k, vars), { code, params });
          // `{{email}}` is how a variable is shown; a lone `{name}` is a param left unfilled.
          expect(text, `${locale} ${code}`).not.toMatch(/(?<!\{)\{\w+\}(?!\})/);
        }
      }
    }
  });

  it('names the node, by label and id, in the user language', () => {
    const issue: FlowIssue = { code: 'unreachable', severity: 'error', nodeId: 'ask_email', params: { node: 'ask_email', label: 'Email' }, message: '' };
    expect(issueText((k, v) => translate('es', k, v), issue)).toBe('No se puede llegar al nodo “Email” (ask_email) desde el inicio.');
    expect(issueText((k, v) => translate('en', k, v), issue)).toBe('Node “Email” (ask_email) cannot be reached from the start.');
  });

  it('words the issues the validator really finds, naming their nodes and outputs', () => {
    const pos = { x: 0, y: 0 };
    const doc = flowDocument.parse({
      nodes: [
        { id: 'start', type: 'start', position: pos, data: {} },
        { id: 'hello', type: 'message', label: 'Saludo', position: pos, data: { text: 'Hola {{nombre}}' } },
        { id: 'lost', type: 'message', position: pos, data: { text: 'nadie llega' } },
      ],
      edges: [{ id: 'e1', source: 'start', sourceHandle: 'next', target: 'hello' }],
    });
    const texts = validateFlow(doc).map((i) => issueText((k, v) => translate('es', k, v), i, (_node, output) => (output === 'next' ? 'Siguiente' : output)));
    expect(texts).toEqual(
      expect.arrayContaining([
        'El nodo “Saludo” (hello) usa {{nombre}}, que ningún nodo guarda y el flujo no declara.',
        'No se puede llegar al nodo “lost” desde el inicio.',
        'La salida «Siguiente» del nodo “Saludo” (hello) no lleva a ningún sitio; la conversación termina ahí.',
      ]),
    );
  });

  it('words the editor’s own schema check with the same messages', () => {
    const doc = flowDocument.parse({ nodes: [{ id: 'start', type: 'start', position: { x: 0, y: 0 }, data: {} }], edges: [] });
    const broken = { ...doc, nodes: [...doc.nodes, { id: 'ask', type: 'input', position: { x: 0, y: 0 }, data: { prompt: 'Email?', variable: '1bad', validation: 'email', retries: 2, allowSkip: false } }] } as typeof doc;
    const [problem] = schemaProblems(broken);
    expect(issueText((k, v) => translate('en', k, v), problem!)).toBe('Node “ask”: the setting “variable” is not valid.');
  });

  it('lists errors before warnings, keeping the order found', () => {
    const issue = (code: FlowIssue['code'], severity: FlowIssue['severity']) => ({ code, severity });
    expect(errorsFirst([issue('dangling_output', 'warning'), issue('unreachable', 'error'), issue('loop_without_wait', 'warning'), issue('no_start', 'error')]).map((i) => i.code)).toEqual([
      'unreachable',
      'no_start',
      'dangling_output',
      'loop_without_wait',
    ]);
  });
});
