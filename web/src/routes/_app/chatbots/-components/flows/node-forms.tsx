/**
 * The side panel's forms, one per node type. Each edit produces a whole new node; the caller
 * records it in the undo history under a key (`node:field`) so typing in one field is one step.
 */
import { useId, useState, type ReactNode } from 'react';
import { Button, SelectField, TextAreaField, TextField } from '../../../../../components/ui';
import { useQuery } from '@tanstack/react-query';
import { useT } from '../../../../../lib/i18n';
import { secretsQuery } from '../../../../../lib/queries-flows';
import { useOrg } from '../../../../../lib/use-org';
import type { MessageKey } from '../../../../../lib/messages';
import {
  FLOW_CHANNELS,
  INPUT_VALIDATIONS,
  VARIABLE_OPERATORS,
  type ConditionRule,
  type FlowAction,
  type FlowDocument,
  type FlowNode,
  type FlowTool,
} from '../../../../../../../functions/core/flows/schema';

export type NodeChange = (node: FlowNode, key: string) => void;
type Of<T extends FlowNode['type']> = Extract<FlowNode, { type: T }>;

// ---- small field helpers ------------------------------------------------------------------------

const splitList = (s: string) =>
  s
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean);
const blankToUndefined = (s: string) => (s.trim() === '' ? undefined : s);

function NumberField({ label, value, onChange, min, max }: { label: string; value: number; onChange: (n: number) => void; min: number; max: number }) {
  return (
    <TextField
      label={label}
      type="number"
      min={min}
      max={max}
      value={Number.isFinite(value) ? value : ''}
      onChange={(e) => onChange(e.target.value === '' ? min : Math.min(max, Math.max(min, Number(e.target.value))))}
    />
  );
}

/** A comma separated list typed as text: the text is kept while typing ("a, " must not lose its comma). */
function CommaField({ label, hint, value, onChange }: { label: string; hint?: string; value: string[]; onChange: (v: string[]) => void }) {
  const [text, setText] = useState(() => value.join(', '));
  return (
    <TextField
      label={label}
      hint={hint}
      value={text}
      onChange={(e) => {
        setText(e.target.value);
        onChange(splitList(e.target.value));
      }}
    />
  );
}

function Check({ label, checked, onChange }: { label: string; checked: boolean; onChange: (v: boolean) => void }) {
  const id = useId();
  return (
    <div className="flex items-center gap-2">
      <input id={id} type="checkbox" className="size-4 rounded border-zinc-300" checked={checked} onChange={(e) => onChange(e.target.checked)} />
      <label htmlFor={id} className="text-sm text-zinc-700 dark:text-zinc-300">
        {label}
      </label>
    </div>
  );
}

function Section({ title, children }: { title: string; children: ReactNode }) {
  return (
    <fieldset className="space-y-2 rounded-lg border border-zinc-200 p-3 dark:border-zinc-800">
      <legend className="px-1 text-xs font-semibold tracking-wide text-zinc-500 uppercase">{title}</legend>
      {children}
    </fieldset>
  );
}

/** A list of rows with add/remove; `render` draws one row's fields. */
function ListEditor<T>({ items, onChange, create, render, max, addLabel }: { items: T[]; onChange: (items: T[]) => void; create: () => NoInfer<T>; render: (item: T, set: (item: T) => void, index: number) => ReactNode; max: number; addLabel?: string }) {
  const t = useT();
  return (
    <div className="space-y-2">
      {items.map((item, i) => (
        <div key={i} className="flex items-end gap-2">
          <div className="min-w-0 flex-1 space-y-2">{render(item, (next) => onChange(items.map((x, j) => (j === i ? next : x))), i)}</div>
          <Button size="sm" variant="ghost" aria-label={`${t('flows.panel.remove')} ${i + 1}`} onClick={() => onChange(items.filter((_, j) => j !== i))}>
            ✕
          </Button>
        </div>
      ))}
      {items.length < max && (
        <Button size="sm" variant="secondary" onClick={() => onChange([...items, create()])}>
          + {addLabel ?? t('flows.panel.addItem')}
        </Button>
      )}
    </div>
  );
}

function nextItemId(prefix: string, items: { id: string }[]): string {
  const used = new Set(items.map((i) => i.id));
  for (let n = 1; ; n++) if (!used.has(`${prefix}${n}`)) return `${prefix}${n}`;
}

// ---- forms ----------------------------------------------------------------------------------------

export function NodeForm({ node, doc, flows, onChange, onToolsChange }: { node: FlowNode; doc: FlowDocument; flows: { id: string; name: string }[]; onChange: NodeChange; onToolsChange: (tools: FlowTool[], key: string) => void }) {
  switch (node.type) {
    case 'start':
      return null;
    case 'message':
      return <MessageForm node={node} onChange={onChange} />;
    case 'question':
      return <QuestionForm node={node} onChange={onChange} />;
    case 'input':
      return <InputForm node={node} onChange={onChange} />;
    case 'condition':
      return <ConditionForm node={node} onChange={onChange} />;
    case 'knowledge':
      return <KnowledgeForm node={node} onChange={onChange} />;
    case 'ai':
      return <AiForm node={node} doc={doc} onChange={onChange} onToolsChange={onToolsChange} />;
    case 'api_call':
      return <ApiCallForm node={node} onChange={onChange} />;
    case 'action':
      return <ActionForm node={node} flows={flows} onChange={onChange} />;
    case 'webhook':
      return <WebhookForm node={node} onChange={onChange} />;
  }
}

function MessageForm({ node, onChange }: { node: Of<'message'>; onChange: NodeChange }) {
  const t = useT();
  const set = (data: Partial<Of<'message'>['data']>, key: string) => onChange({ ...node, data: { ...node.data, ...data } }, `${node.id}:${key}`);
  const media = node.data.media;
  return (
    <div className="space-y-3">
      <TextAreaField label={t('flows.f.text')} rows={4} value={node.data.text} onChange={(e) => set({ text: e.target.value }, 'text')} />
      <SelectField
        label={t('flows.f.mediaKind')}
        value={media?.kind ?? ''}
        onChange={(e) => set({ media: e.target.value ? { kind: e.target.value as 'image' | 'file', url: media?.url ?? 'https://' } : undefined }, 'mediaKind')}
      >
        <option value="">{t('flows.f.mediaNone')}</option>
        <option value="image">{t('flows.f.mediaImage')}</option>
        <option value="file">{t('flows.f.mediaFile')}</option>
      </SelectField>
      {media && <TextField label={t('flows.f.mediaUrl')} value={media.url} onChange={(e) => set({ media: { ...media, url: e.target.value } }, 'mediaUrl')} />}
      <NumberField label={t('flows.f.delay')} min={0} max={10_000} value={node.data.delayMs} onChange={(delayMs) => set({ delayMs }, 'delay')} />
    </div>
  );
}

function RetryFields({ retries, retryPrompt, onChange }: { retries: number; retryPrompt?: string; onChange: (v: { retries?: number; retryPrompt?: string }, key: string) => void }) {
  const t = useT();
  return (
    <>
      <NumberField label={t('flows.f.retries')} min={0} max={5} value={retries} onChange={(n) => onChange({ retries: n }, 'retries')} />
      <TextField label={t('flows.f.retryPrompt')} value={retryPrompt ?? ''} onChange={(e) => onChange({ retryPrompt: blankToUndefined(e.target.value) }, 'retryPrompt')} />
    </>
  );
}

function QuestionForm({ node, onChange }: { node: Of<'question'>; onChange: NodeChange }) {
  const t = useT();
  const d = node.data;
  const set = (data: Partial<Of<'question'>['data']>, key: string) => onChange({ ...node, data: { ...d, ...data } }, `${node.id}:${key}`);
  return (
    <div className="space-y-3">
      <TextAreaField label={t('flows.f.prompt')} rows={2} value={d.prompt} onChange={(e) => set({ prompt: e.target.value }, 'prompt')} />
      <TextField label={t('flows.f.variable')} value={d.variable} onChange={(e) => set({ variable: e.target.value }, 'variable')} />
      <Section title={t('flows.f.choices')}>
        <ListEditor
          items={d.choices}
          max={10}
          onChange={(choices) => set({ choices }, 'choices')}
          create={() => ({ id: nextItemId('c', d.choices), label: t('flows.f.choiceLabel', { n: d.choices.length + 1 }) })}
          render={(c, setC, i) => <TextField label={t('flows.f.choiceLabel', { n: i + 1 })} value={c.label} onChange={(e) => setC({ ...c, label: e.target.value })} />}
        />
      </Section>
      <SelectField label={t('flows.f.display')} value={d.display} onChange={(e) => set({ display: e.target.value as 'buttons' | 'list' }, 'display')}>
        <option value="buttons">{t('flows.f.displayButtons')}</option>
        <option value="list">{t('flows.f.displayList')}</option>
      </SelectField>
      <Check label={t('flows.f.allowFreeText')} checked={d.allowFreeText} onChange={(allowFreeText) => set({ allowFreeText }, 'free')} />
      <RetryFields retries={d.retries} retryPrompt={d.retryPrompt} onChange={set} />
    </div>
  );
}

function InputForm({ node, onChange }: { node: Of<'input'>; onChange: NodeChange }) {
  const t = useT();
  const d = node.data;
  const set = (data: Partial<Of<'input'>['data']>, key: string) => onChange({ ...node, data: { ...d, ...data } }, `${node.id}:${key}`);
  return (
    <div className="space-y-3">
      <TextAreaField label={t('flows.f.prompt')} rows={2} value={d.prompt} onChange={(e) => set({ prompt: e.target.value }, 'prompt')} />
      <TextField label={t('flows.f.variable')} value={d.variable} onChange={(e) => set({ variable: e.target.value }, 'variable')} />
      <SelectField label={t('flows.f.validation')} value={d.validation} onChange={(e) => set({ validation: e.target.value as (typeof INPUT_VALIDATIONS)[number] }, 'validation')}>
        {INPUT_VALIDATIONS.map((v) => (
          <option key={v} value={v}>
            {t(`flows.f.validation.${v}` as MessageKey)}
          </option>
        ))}
      </SelectField>
      <RetryFields retries={d.retries} retryPrompt={d.retryPrompt} onChange={set} />
      <Check label={t('flows.f.allowSkip')} checked={d.allowSkip} onChange={(allowSkip) => set({ allowSkip }, 'skip')} />
      {d.allowSkip && <TextField label={t('flows.f.skipLabel')} value={d.skipLabel ?? ''} onChange={(e) => set({ skipLabel: blankToUndefined(e.target.value) }, 'skipLabel')} />}
    </div>
  );
}

function defaultRule(kind: ConditionRule['kind']): ConditionRule {
  switch (kind) {
    case 'variable':
      return { kind, variable: 'choice', operator: 'equals', value: '' };
    case 'intent':
      return { kind, intent: 'pricing', examples: [] };
    case 'channel':
      return { kind, channels: ['web'] };
    case 'language':
      return { kind, languages: ['es'] };
    case 'business_hours':
      return { kind, open: true };
  }
}

function RuleFields({ rule, onChange }: { rule: ConditionRule; onChange: (r: ConditionRule) => void }) {
  const t = useT();
  switch (rule.kind) {
    case 'variable':
      return (
        <div className="grid grid-cols-2 gap-2">
          <TextField label={t('flows.f.fieldName')} value={rule.variable} onChange={(e) => onChange({ ...rule, variable: e.target.value })} />
          <SelectField label={t('flows.f.operator')} value={rule.operator} onChange={(e) => onChange({ ...rule, operator: e.target.value as (typeof VARIABLE_OPERATORS)[number] })}>
            {VARIABLE_OPERATORS.map((o) => (
              <option key={o} value={o}>
                {o.replace(/_/g, ' ')}
              </option>
            ))}
          </SelectField>
          {rule.operator !== 'is_set' && rule.operator !== 'is_not_set' && (
            <TextField className="col-span-2" label={t('flows.f.value')} value={rule.value ?? ''} onChange={(e) => onChange({ ...rule, value: e.target.value })} />
          )}
        </div>
      );
    case 'intent':
      return (
        <>
          <TextField label={t('flows.f.intent')} value={rule.intent} onChange={(e) => onChange({ ...rule, intent: e.target.value })} />
          <TextAreaField
            label={t('flows.f.examples')}
            rows={3}
            value={rule.examples.join('\n')}
            onChange={(e) => onChange({ ...rule, examples: e.target.value.split('\n').filter((x, i, all) => x.trim() || i === all.length - 1) })}
          />
        </>
      );
    case 'channel':
      return (
        <CommaField
          label={t('flows.f.channels')}
          hint={FLOW_CHANNELS.join(', ')}
          value={rule.channels}
          onChange={(v) => onChange({ ...rule, channels: v as typeof rule.channels })}
        />
      );
    case 'language':
      return <CommaField label={t('flows.f.languages')} value={rule.languages} onChange={(languages) => onChange({ ...rule, languages })} />;
    case 'business_hours':
      return <Check label={t('flows.f.open')} checked={rule.open} onChange={(open) => onChange({ ...rule, open })} />;
  }
}

function ConditionForm({ node, onChange }: { node: Of<'condition'>; onChange: NodeChange }) {
  const t = useT();
  const rules = node.data.rules;
  const set = (next: typeof rules) => onChange({ ...node, data: { rules: next } }, `${node.id}:rules`);
  return (
    <Section title={t('flows.f.rules')}>
      <ListEditor
        items={rules}
        max={20}
        onChange={set}
        create={() => ({ id: nextItemId('r', rules), when: defaultRule('variable') })}
        render={(r, setR, i) => (
          <div className="space-y-2 rounded-md bg-zinc-50 p-2 dark:bg-zinc-800/50">
            <div className="grid grid-cols-2 gap-2">
              <TextField label={t('flows.panel.label')} placeholder={t('flows.out.rule', { n: i + 1 })} value={r.label ?? ''} onChange={(e) => setR({ ...r, label: blankToUndefined(e.target.value) })} />
              <SelectField label={t('flows.f.ruleKind')} value={r.when.kind} onChange={(e) => setR({ ...r, when: defaultRule(e.target.value as ConditionRule['kind']) })}>
                {(['variable', 'intent', 'channel', 'language', 'business_hours'] as const).map((k) => (
                  <option key={k} value={k}>
                    {t(`flows.f.rule.${k}`)}
                  </option>
                ))}
              </SelectField>
            </div>
            <RuleFields rule={r.when} onChange={(when) => setR({ ...r, when })} />
          </div>
        )}
      />
    </Section>
  );
}

function KnowledgeForm({ node, onChange }: { node: Of<'knowledge'>; onChange: NodeChange }) {
  const t = useT();
  const d = node.data;
  const set = (data: Partial<Of<'knowledge'>['data']>, key: string) => onChange({ ...node, data: { ...d, ...data } }, `${node.id}:${key}`);
  return (
    <div className="space-y-3">
      <TextField label={t('flows.f.query')} value={d.query ?? ''} onChange={(e) => set({ query: blankToUndefined(e.target.value) }, 'query')} />
      <TextField label={t('flows.f.saveAs')} value={d.saveAs ?? ''} onChange={(e) => set({ saveAs: blankToUndefined(e.target.value) }, 'saveAs')} />
    </div>
  );
}

function AiForm({ node, doc, onChange, onToolsChange }: { node: Of<'ai'>; doc: FlowDocument; onChange: NodeChange; onToolsChange: (tools: FlowTool[], key: string) => void }) {
  const t = useT();
  const d = node.data;
  const set = (data: Partial<Of<'ai'>['data']>, key: string) => onChange({ ...node, data: { ...d, ...data } }, `${node.id}:${key}`);
  return (
    <div className="space-y-3">
      <TextAreaField label={t('flows.f.prompt')} rows={4} value={d.prompt} onChange={(e) => set({ prompt: e.target.value }, 'prompt')} />
      <TextField label={t('flows.f.task')} value={d.task ?? ''} onChange={(e) => set({ task: blankToUndefined(e.target.value) }, 'task')} />
      <Check label={t('flows.f.reply')} checked={d.reply} onChange={(reply) => set({ reply }, 'reply')} />
      <TextField label={t('flows.f.saveAs')} value={d.saveAs ?? ''} onChange={(e) => set({ saveAs: blankToUndefined(e.target.value) }, 'saveAs')} />
      <Section title={t('flows.f.extract')}>
        <ListEditor
          items={d.extract}
          max={20}
          onChange={(extract) => set({ extract }, 'extract')}
          create={() => ({ name: `field${d.extract.length + 1}`, description: '', type: 'string' as const })}
          render={(f, setF) => (
            <div className="grid grid-cols-3 gap-2">
              <TextField label={t('flows.f.fieldName')} value={f.name} onChange={(e) => setF({ ...f, name: e.target.value })} />
              <TextField label={t('flows.f.fieldDescription')} value={f.description} onChange={(e) => setF({ ...f, description: e.target.value })} />
              <SelectField label={t('flows.f.fieldType')} value={f.type} onChange={(e) => setF({ ...f, type: e.target.value as 'string' | 'number' | 'boolean' })}>
                <option value="string">string</option>
                <option value="number">number</option>
                <option value="boolean">boolean</option>
              </SelectField>
            </div>
          )}
        />
      </Section>
      <Section title={t('flows.f.tools')}>
        {doc.tools.length === 0 && <p className="text-xs text-zinc-500">{t('flows.f.noTools')}</p>}
        {doc.tools.map((tool) => (
          <Check
            key={tool.name}
            label={tool.name}
            checked={d.tools.includes(tool.name)}
            onChange={(on) => set({ tools: on ? [...d.tools, tool.name] : d.tools.filter((x) => x !== tool.name) }, 'tools')}
          />
        ))}
        <NumberField label={t('flows.f.maxSteps')} min={1} max={8} value={d.maxSteps} onChange={(maxSteps) => set({ maxSteps }, 'maxSteps')} />
      </Section>
      <ToolsEditor tools={doc.tools} onChange={onToolsChange} />
    </div>
  );
}

/** The flow's tools (shared by every AI node): name, description, input schema and request. */
function ToolsEditor({ tools, onChange }: { tools: FlowTool[]; onChange: (tools: FlowTool[], key: string) => void }) {
  const t = useT();
  return (
    <Section title={t('flows.f.toolsSection')}>
      <ListEditor
        items={tools}
        max={20}
        onChange={(next) => onChange(next, 'tools')}
        create={(): FlowTool => ({
          name: `tool_${tools.length + 1}`,
          description: 'Look up an order by its number',
          inputSchema: { type: 'object', properties: { id: { type: 'string' } }, required: ['id'] },
          request: { method: 'GET', url: 'https://example.com/orders/{{input.id}}', headers: [], auth: { kind: 'none' }, timeoutMs: 10_000 },
        })}
        render={(tool, setTool) => (
          <div className="space-y-2 rounded-md bg-zinc-50 p-2 dark:bg-zinc-800/50">
            <TextField label={t('flows.f.toolName')} value={tool.name} onChange={(e) => setTool({ ...tool, name: e.target.value })} />
            <TextField label={t('flows.f.toolDescription')} value={tool.description} onChange={(e) => setTool({ ...tool, description: e.target.value })} />
            <JsonField label={t('flows.f.toolSchema')} value={tool.inputSchema} onChange={(inputSchema) => setTool({ ...tool, inputSchema })} />
            <RequestFields request={tool.request} onChange={(request) => setTool({ ...tool, request })} />
          </div>
        )}
      />
    </Section>
  );
}

/** JSON edited as text: the node changes only when the text parses to an object. */
function JsonField({ label, value, onChange }: { label: string; value: Record<string, unknown>; onChange: (v: Record<string, unknown>) => void }) {
  const t = useT();
  const [text, setText] = useState(() => JSON.stringify(value, null, 2));
  const [error, setError] = useState<string>();
  return (
    <TextAreaField
      label={label}
      rows={4}
      value={text}
      error={error}
      onChange={(e) => {
        setText(e.target.value);
        try {
          const parsed = JSON.parse(e.target.value) as unknown;
          if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('not an object');
          setError(undefined);
          onChange(parsed as Record<string, unknown>);
        } catch {
          setError(t('flows.f.invalidJson'));
        }
      }}
    />
  );
}

type Request = Of<'api_call'>['data']['request'];

function RequestFields({ request, onChange }: { request: Request; onChange: (r: Request) => void }) {
  const t = useT();
  const auth = request.auth;
  return (
    <div className="space-y-2">
      <div className="grid grid-cols-[7rem_1fr] gap-2">
        <SelectField label={t('flows.f.method')} value={request.method} onChange={(e) => onChange({ ...request, method: e.target.value as Request['method'] })}>
          {(['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const).map((m) => (
            <option key={m}>{m}</option>
          ))}
        </SelectField>
        <TextField label={t('flows.f.url')} value={request.url} onChange={(e) => onChange({ ...request, url: e.target.value })} />
      </div>
      <Section title={t('flows.f.headers')}>
        <ListEditor
          items={request.headers}
          max={20}
          onChange={(headers) => onChange({ ...request, headers })}
          create={() => ({ name: 'Accept', value: 'application/json' })}
          render={(h, setH) => (
            <div className="grid grid-cols-2 gap-2">
              <TextField label={t('flows.f.headerName')} value={h.name} onChange={(e) => setH({ ...h, name: e.target.value })} />
              <TextField label={t('flows.f.headerValue')} value={h.value} onChange={(e) => setH({ ...h, value: e.target.value })} />
            </div>
          )}
        />
      </Section>
      {request.method !== 'GET' && (
        <TextAreaField label={t('flows.f.body')} rows={4} value={request.body ?? ''} onChange={(e) => onChange({ ...request, body: blankToUndefined(e.target.value) })} />
      )}
      <SelectField
        label={t('flows.f.auth')}
        value={auth.kind}
        onChange={(e) => {
          const kind = e.target.value as Request['auth']['kind'];
          const secret = 'secret' in auth ? auth.secret : 'API_TOKEN';
          onChange({
            ...request,
            auth: kind === 'none' ? { kind } : kind === 'bearer' ? { kind, secret } : kind === 'basic' ? { kind, username: '', secret } : { kind, header: 'X-Api-Key', secret },
          });
        }}
      >
        {(['none', 'bearer', 'basic', 'header'] as const).map((k) => (
          <option key={k} value={k}>
            {t(`flows.f.auth.${k}`)}
          </option>
        ))}
      </SelectField>
      {auth.kind === 'basic' && <TextField label={t('flows.f.username')} value={auth.username} onChange={(e) => onChange({ ...request, auth: { ...auth, username: e.target.value } })} />}
      {auth.kind === 'header' && <TextField label={t('flows.f.authHeader')} value={auth.header} onChange={(e) => onChange({ ...request, auth: { ...auth, header: e.target.value } })} />}
      {auth.kind !== 'none' && <SecretNameField value={auth.secret} onChange={(secret) => onChange({ ...request, auth: { ...auth, secret } })} />}
      <NumberField label={t('flows.f.timeout')} min={100} max={30_000} value={request.timeoutMs} onChange={(timeoutMs) => onChange({ ...request, timeoutMs })} />
    </div>
  );
}

/** A secret's name, suggesting the organization's secrets (their names only; values never come back). */
function SecretNameField({ value, onChange }: { value: string; onChange: (name: string) => void }) {
  const t = useT();
  const org = useOrg();
  const listId = useId();
  // Only admins may list secrets; anyone else simply gets no suggestions.
  const secrets = useQuery({ ...secretsQuery(org.id), retry: false });
  return (
    <>
      <TextField label={t('flows.f.secret')} value={value} list={listId} autoComplete="off" spellCheck={false} onChange={(e) => onChange(e.target.value)} />
      <datalist id={listId}>
        {(secrets.data ?? []).map((secret) => (
          <option key={secret.name} value={secret.name} />
        ))}
      </datalist>
    </>
  );
}

function ApiCallForm({ node, onChange }: { node: Of<'api_call'>; onChange: NodeChange }) {
  const t = useT();
  const d = node.data;
  const set = (data: Partial<Of<'api_call'>['data']>, key: string) => onChange({ ...node, data: { ...d, ...data } }, `${node.id}:${key}`);
  return (
    <div className="space-y-3">
      <RequestFields request={d.request} onChange={(request) => set({ request }, 'request')} />
      <Section title={t('flows.f.mapping')}>
        <ListEditor
          items={d.mapping}
          max={30}
          onChange={(mapping) => set({ mapping }, 'mapping')}
          create={() => ({ variable: `result${d.mapping.length + 1}`, path: '' })}
          render={(m, setM) => (
            <div className="grid grid-cols-2 gap-2">
              <TextField label={t('flows.f.path')} value={m.path} onChange={(e) => setM({ ...m, path: e.target.value })} />
              <TextField label={t('flows.f.fieldName')} value={m.variable} onChange={(e) => setM({ ...m, variable: e.target.value })} />
            </div>
          )}
        />
      </Section>
      <TextField label={t('flows.f.statusVariable')} value={d.statusVariable ?? ''} onChange={(e) => set({ statusVariable: blankToUndefined(e.target.value) }, 'status')} />
    </div>
  );
}

function defaultAction(kind: FlowAction['kind'], flows: { id: string }[]): FlowAction {
  switch (kind) {
    case 'handoff':
    case 'close':
    case 'end':
      return { kind };
    case 'add_tags':
      return { kind, tags: ['lead'] };
    case 'set_priority':
      return { kind, priority: 'high' };
    case 'set_attributes':
      return { kind, attributes: [{ key: 'source', value: 'flow' }] };
    case 'goto_flow':
      return { kind, flowId: flows[0]?.id ?? '00000000-0000-0000-0000-000000000000' };
    case 'send_whatsapp_template':
      return { kind, name: '', language: 'en_US', body: [], header: [] };
  }
}

function ActionForm({ node, flows, onChange }: { node: Of<'action'>; flows: { id: string; name: string }[]; onChange: NodeChange }) {
  const t = useT();
  const a = node.data.action;
  const set = (action: FlowAction, key: string) => onChange({ ...node, data: { action } }, `${node.id}:${key}`);
  return (
    <div className="space-y-3">
      <SelectField label={t('flows.f.action')} value={a.kind} onChange={(e) => set(defaultAction(e.target.value as FlowAction['kind'], flows), 'kind')}>
        {(['handoff', 'add_tags', 'set_priority', 'set_attributes', 'close', 'goto_flow', 'end', 'send_whatsapp_template'] as const).map((k) => (
          <option key={k} value={k}>
            {t(`flows.f.action.${k}`)}
          </option>
        ))}
      </SelectField>
      {a.kind === 'handoff' && (
        <>
          <TextField label={t('flows.f.team')} value={a.team ?? ''} onChange={(e) => set({ ...a, team: blankToUndefined(e.target.value) }, 'team')} />
          <TextField label={t('flows.f.note')} value={a.note ?? ''} onChange={(e) => set({ ...a, note: blankToUndefined(e.target.value) }, 'note')} />
        </>
      )}
      {a.kind === 'add_tags' && <CommaField label={t('flows.f.tags')} value={a.tags} onChange={(tags) => set({ ...a, tags }, 'tags')} />}
      {a.kind === 'set_priority' && (
        <SelectField label={t('flows.f.priority')} value={a.priority} onChange={(e) => set({ ...a, priority: e.target.value as typeof a.priority }, 'priority')}>
          {(['low', 'medium', 'high', 'urgent'] as const).map((p) => (
            <option key={p}>{p}</option>
          ))}
        </SelectField>
      )}
      {a.kind === 'set_attributes' && (
        <Section title={t('flows.f.attributes')}>
          <ListEditor
            items={a.attributes}
            max={20}
            onChange={(attributes) => set({ ...a, attributes }, 'attributes')}
            create={() => ({ key: '', value: '' })}
            render={(kv, setKv) => (
              <div className="grid grid-cols-2 gap-2">
                <TextField label={t('flows.f.key')} value={kv.key} onChange={(e) => setKv({ ...kv, key: e.target.value })} />
                <TextField label={t('flows.f.value')} value={kv.value} onChange={(e) => setKv({ ...kv, value: e.target.value })} />
              </div>
            )}
          />
        </Section>
      )}
      {a.kind === 'send_whatsapp_template' && (
        <>
          <p className="text-xs text-zinc-500 dark:text-zinc-400">{t('flows.f.templateHint')}</p>
          <div className="grid grid-cols-2 gap-2">
            <TextField label={t('flows.f.templateName')} value={a.name} onChange={(e) => set({ ...a, name: e.target.value.trim() }, 'templateName')} />
            <TextField label={t('flows.f.templateLanguage')} value={a.language} onChange={(e) => set({ ...a, language: e.target.value.trim() }, 'templateLanguage')} />
          </div>
          <CommaField label={t('flows.f.templateBody')} value={a.body} onChange={(body) => set({ ...a, body }, 'templateBody')} />
        </>
      )}
      {a.kind === 'goto_flow' && (
        <SelectField label={t('flows.f.flow')} value={a.flowId} onChange={(e) => set({ ...a, flowId: e.target.value }, 'flow')}>
          {flows.map((f) => (
            <option key={f.id} value={f.id}>
              {f.name}
            </option>
          ))}
        </SelectField>
      )}
    </div>
  );
}

function WebhookForm({ node, onChange }: { node: Of<'webhook'>; onChange: NodeChange }) {
  const t = useT();
  const d = node.data;
  const set = (data: Partial<Of<'webhook'>['data']>, key: string) => onChange({ ...node, data: { ...d, ...data } }, `${node.id}:${key}`);
  return (
    <div className="space-y-3">
      <TextField label={t('flows.f.event')} value={d.event} onChange={(e) => set({ event: e.target.value }, 'event')} />
      <CommaField label={t('flows.f.webhookVariables')} value={d.variables} onChange={(variables) => set({ variables }, 'variables')} />
    </div>
  );
}
