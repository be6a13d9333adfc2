import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useToast } from '../../../../components/toast';
import { Alert, Badge, Button, Card, ErrorState, PageLoader, SelectField, Switch, TextField } from '../../../../components/ui';
import { api, fieldErrorOf } from '../../../../lib/api';
import { useErrorMessage, useT } from '../../../../lib/i18n';
import { OWN_ERROR } from '../../../../lib/mutation-errors';
import { botModelsQuery, chatbotApi, type Bot, type BotModel, type ModelRouting, type RoutingRule } from '../../../../lib/queries';
import { queryKeys } from '../../../../lib/query-keys';
import { useOrg } from '../../../../lib/use-org';
import { ModelSelect, useModelLabel } from './shared';

/**
 * The bot's toolbox: models by task (general, complex, fast, classifier, or a flow's own task),
 * each with optional prices, and the routing rule that picks one per message.
 */
const TASKS = ['general', 'complex', 'fast', 'classifier'] as const;

/** The rules a new toolbox starts from (the server's SUGGESTED_RULES, in short). */
const SUGGESTED: RoutingRule[] = [
  { minLength: 280, task: 'complex' },
  { words: ['error', 'refund', 'not working', 'no funciona', 'reembolso', 'factura', 'api'], task: 'complex' },
  { maxLength: 120, task: 'fast' },
];

export function ModelsTab({ bot, canWrite }: { bot: Bot; canWrite: boolean }) {
  const org = useOrg();
  const errorMessage = useErrorMessage();
  const toolbox = useQuery(botModelsQuery(org.id, bot.id));
  if (toolbox.isPending) return <PageLoader />;
  if (toolbox.isError) return <ErrorState message={errorMessage(toolbox.error)} onRetry={() => void toolbox.refetch()} />;
  return (
    <div className="space-y-6">
      <ToolboxCard bot={bot} models={toolbox.data.data} canWrite={canWrite} />
      <RoutingCard key={JSON.stringify(toolbox.data.routing)} bot={bot} saved={toolbox.data.routing} canWrite={canWrite} />
    </div>
  );
}

const splitList = (text: string) =>
  text
    .split(',')
    .map((w) => w.trim())
    .filter(Boolean);
const priceOrNull = (text: string) => (text.trim() === '' ? null : Number(text));

function ToolboxCard({ bot, models, canWrite }: { bot: Bot; models: BotModel[]; canWrite: boolean }) {
  const t = useT();
  const org = useOrg();
  const toast = useToast();
  const errorMessage = useErrorMessage();
  const queryClient = useQueryClient();
  const modelLabel = useModelLabel();
  const [model, setModel] = useState('');
  const [task, setTask] = useState<string>('general');
  const [customTask, setCustomTask] = useState('');
  const [costIn, setCostIn] = useState('');
  const [costOut, setCostOut] = useState('');
  const refresh = () => queryClient.invalidateQueries({ queryKey: queryKeys.chatbots.models(org.id, bot.id) });

  const add = useMutation({
    meta: OWN_ERROR,
    mutationFn: () => {
      const colon = model.indexOf(':');
      return api<BotModel>(chatbotApi.models(bot.id), {
        method: 'POST',
        orgId: org.id,
        body: {
          provider: model.slice(0, colon),
          model_id: model.slice(colon + 1),
          task_type: task === 'custom' ? customTask.trim() : task,
          cost_input_per_1m: priceOrNull(costIn),
          cost_output_per_1m: priceOrNull(costOut),
        },
      });
    },
    onSuccess: async () => {
      setModel('');
      setCostIn('');
      setCostOut('');
      toast.success(t('bots.models.added'));
      await refresh();
    },
  });
  const change = useMutation({
    mutationFn: ({ id, enabled }: { id: string; enabled: boolean }) => api(chatbotApi.model(bot.id, id), { method: 'PATCH', orgId: org.id, body: { enabled } }),
    onSettled: refresh,
  });
  const remove = useMutation({
    mutationFn: (id: string) => api(chatbotApi.model(bot.id, id), { method: 'DELETE', orgId: org.id }),
    onSuccess: () => toast.success(t('bots.models.removed')),
    onSettled: refresh,
  });
  const taskLabel = (name: string) => ((TASKS as readonly string[]).includes(name) ? t(`bots.models.task.${name as (typeof TASKS)[number]}`) : name);
  const fieldError = (path: string) => fieldErrorOf(add.error, path);

  return (
    <Card title={t('bots.models.title')} description={t('bots.models.desc')}>
      {models.length === 0 ? (
        <p className="rounded-lg bg-zinc-50 p-4 text-sm text-zinc-600 dark:bg-zinc-800/50 dark:text-zinc-400">{t('bots.models.empty', { model: modelLabel(bot.model) })}</p>
      ) : (
        <ul className="divide-y divide-zinc-100 dark:divide-zinc-800">
          {models.map((m) => (
            <li key={m.id} className="flex flex-wrap items-center justify-between gap-3 py-3">
              <div className="min-w-0">
                <p className="flex flex-wrap items-center gap-2 text-sm font-medium">
                  <Badge tone="indigo">{taskLabel(m.task_type)}</Badge>
                  <span className="break-all">{modelLabel(m.model)}</span>
                  {!m.available && <Badge tone="amber">{t('bots.models.unavailable')}</Badge>}
                </p>
                <p className="mt-1 text-xs text-zinc-500 dark:text-zinc-400">
                  {m.cost_input_per_1m !== null || m.cost_output_per_1m !== null
                    ? t('bots.models.price', { input: String(m.cost_input_per_1m ?? 0), output: String(m.cost_output_per_1m ?? 0) })
                    : t('bots.models.listPrice')}
                </p>
              </div>
              {canWrite && (
                <div className="flex items-center gap-3">
                  <Switch label={t('bots.models.enabled')} checked={m.enabled} onChange={(enabled) => change.mutate({ id: m.id, enabled })} />
                  <Button variant="secondary" size="sm" loading={remove.isPending && remove.variables === m.id} onClick={() => remove.mutate(m.id)} aria-label={t('bots.models.removeNamed', { model: m.model })}>
                    {t('bots.models.remove')}
                  </Button>
                </div>
              )}
            </li>
          ))}
        </ul>
      )}
      {canWrite && (
        <form
          className="mt-6 grid gap-4 border-t border-zinc-100 pt-6 sm:grid-cols-2 dark:border-zinc-800"
          onSubmit={(e) => {
            e.preventDefault();
            if (model) add.mutate();
          }}
        >
          <ModelSelect label={t('bots.models.model')} value={model} onChange={setModel} allowNone />
          <SelectField label={t('bots.models.taskLabel')} value={task} onChange={(e) => setTask(e.target.value)} hint={t(`bots.models.taskHint`)}>
            {TASKS.map((name) => (
              <option key={name} value={name}>
                {taskLabel(name)}
              </option>
            ))}
            <option value="custom">{t('bots.models.task.custom')}</option>
          </SelectField>
          {task === 'custom' && (
            <TextField
              label={t('bots.models.customTask')}
              value={customTask}
              onChange={(e) => setCustomTask(e.target.value)}
              required
              pattern="[a-z0-9][a-z0-9_\-]{0,63}"
              placeholder="summarize"
              error={fieldError('task_type')}
            />
          )}
          <TextField label={t('bots.models.costIn')} type="number" min={0} step="any" value={costIn} onChange={(e) => setCostIn(e.target.value)} hint={t('bots.models.costHint')} error={fieldError('cost_input_per_1m')} />
          <TextField label={t('bots.models.costOut')} type="number" min={0} step="any" value={costOut} onChange={(e) => setCostOut(e.target.value)} error={fieldError('cost_output_per_1m')} />
          {add.error && !fieldError('task_type') && (
            <div className="sm:col-span-2">
              <Alert tone="error">{errorMessage(add.error)}</Alert>
            </div>
          )}
          <div className="flex justify-end sm:col-span-2">
            <Button type="submit" disabled={!model} loading={add.isPending}>
              {t('bots.models.add')}
            </Button>
          </div>
        </form>
      )}
    </Card>
  );
}

interface RuleRow {
  task: string;
  minLength: string;
  maxLength: string;
  language: '' | 'es' | 'en';
  words: string;
}

const toRow = (r: RoutingRule): RuleRow => ({
  task: r.task,
  minLength: r.minLength === undefined ? '' : String(r.minLength),
  maxLength: r.maxLength === undefined ? '' : String(r.maxLength),
  language: r.language ?? '',
  words: (r.words ?? []).join(', '),
});

function toRule(row: RuleRow): RoutingRule {
  const words = splitList(row.words);
  return {
    task: row.task,
    ...(row.minLength ? { minLength: Number(row.minLength) } : {}),
    ...(row.maxLength ? { maxLength: Number(row.maxLength) } : {}),
    ...(row.language ? { language: row.language } : {}),
    ...(words.length ? { words } : {}),
  };
}

function RoutingCard({ bot, saved, canWrite }: { bot: Bot; saved: ModelRouting; canWrite: boolean }) {
  const t = useT();
  const org = useOrg();
  const toast = useToast();
  const errorMessage = useErrorMessage();
  const queryClient = useQueryClient();
  const [mode, setMode] = useState(saved.mode);
  const [rows, setRows] = useState<RuleRow[]>(() => saved.rules.map(toRow));
  const setRow = (i: number, patch: Partial<RuleRow>) => setRows((rs) => rs.map((r, j) => (j === i ? { ...r, ...patch } : r)));

  const save = useMutation({
    meta: OWN_ERROR,
    mutationFn: () => api<ModelRouting>(chatbotApi.routing(bot.id), { method: 'PUT', orgId: org.id, body: { mode, rules: rows.map(toRule) } }),
    onSuccess: async () => {
      toast.success(t('bots.routing.saved'));
      await queryClient.invalidateQueries({ queryKey: queryKeys.chatbots.models(org.id, bot.id) });
    },
  });

  return (
    <Card title={t('bots.routing.title')} description={t('bots.routing.desc')}>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          save.mutate();
        }}
        className="space-y-4"
      >
        <fieldset disabled={!canWrite} className="space-y-4">
          <legend className="sr-only">{t('bots.routing.title')}</legend>
          <SelectField label={t('bots.routing.mode')} value={mode} onChange={(e) => setMode(e.target.value as ModelRouting['mode'])} hint={t(`bots.routing.modeHint.${mode}`)}>
            <option value="rules">{t('bots.routing.mode.rules')}</option>
            <option value="classifier">{t('bots.routing.mode.classifier')}</option>
          </SelectField>
          {rows.length === 0 && <p className="text-sm text-zinc-500 dark:text-zinc-400">{t('bots.routing.noRules')}</p>}
          <ol className="space-y-3">
            {rows.map((row, i) => (
              <li key={i} className="grid gap-3 rounded-lg border border-zinc-200 p-3 sm:grid-cols-6 dark:border-zinc-800">
                <TextField className="sm:col-span-2" label={t('bots.routing.words')} value={row.words} onChange={(e) => setRow(i, { words: e.target.value })} placeholder="factura, refund" />
                <TextField label={t('bots.routing.minLength')} type="number" min={0} value={row.minLength} onChange={(e) => setRow(i, { minLength: e.target.value })} />
                <TextField label={t('bots.routing.maxLength')} type="number" min={0} value={row.maxLength} onChange={(e) => setRow(i, { maxLength: e.target.value })} />
                <SelectField label={t('bots.routing.language')} value={row.language} onChange={(e) => setRow(i, { language: e.target.value as RuleRow['language'] })}>
                  <option value="">{t('bots.routing.anyLanguage')}</option>
                  <option value="es">Español</option>
                  <option value="en">English</option>
                </SelectField>
                <TextField label={t('bots.routing.task')} value={row.task} onChange={(e) => setRow(i, { task: e.target.value })} required list="routing-tasks" />
                {canWrite && (
                  <div className="flex justify-end sm:col-span-6">
                    <Button variant="secondary" size="sm" onClick={() => setRows((rs) => rs.filter((_, j) => j !== i))} aria-label={t('bots.routing.removeRule', { n: String(i + 1) })}>
                      {t('bots.routing.remove')}
                    </Button>
                  </div>
                )}
              </li>
            ))}
          </ol>
          <datalist id="routing-tasks">
            {TASKS.filter((x) => x !== 'classifier').map((x) => (
              <option key={x} value={x} />
            ))}
          </datalist>
          {fieldErrorOf(save.error, 'rules') && <Alert tone="error">{fieldErrorOf(save.error, 'rules')}</Alert>}
          {save.error && !fieldErrorOf(save.error, 'rules') && <Alert tone="error">{errorMessage(save.error)}</Alert>}
          {canWrite && (
            <div className="flex flex-wrap justify-between gap-2">
              <div className="flex gap-2">
                <Button variant="secondary" size="sm" onClick={() => setRows((rs) => [...rs, { task: 'complex', minLength: '', maxLength: '', language: '', words: '' }])}>
                  {t('bots.routing.addRule')}
                </Button>
                <Button variant="secondary" size="sm" onClick={() => setRows(SUGGESTED.map(toRow))}>
                  {t('bots.routing.suggested')}
                </Button>
              </div>
              <Button type="submit" loading={save.isPending}>
                {t('bots.routing.save')}
              </Button>
            </div>
          )}
        </fieldset>
      </form>
    </Card>
  );
}
