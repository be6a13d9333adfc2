import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useNavigate } from '@tanstack/react-router';
import { useEffect, useState, type FormEvent } from 'react';
import { useToast } from '../../../../components/toast';
import { Alert, Button, cx, Dialog, TextAreaField, TextField } from '../../../../components/ui';
import { OWN_ERROR } from '../../../../lib/mutation-errors';
import { api, ApiError, fieldErrorOf, hasFieldErrors } from '../../../../lib/api';
import { useErrorMessage, useT } from '../../../../lib/i18n';
import { chatbotApi, chatModelsQuery, type Bot, type BotType, type WidgetLook } from '../../../../lib/queries';
import { useOrg } from '../../../../lib/use-org';
import { ModelSelect } from './shared';
import { KnowledgeChecklist } from './knowledge-tab';
import { ColorField, PositionField } from './widget-look-fields';
import { queryKeys } from '../../../../lib/query-keys';

const STEPS = ['basics', 'brain', 'look'] as const;
const DEFAULT_COLOR = '#4f46e5';

export function CreateBotWizard({ open, onClose }: { open: boolean; onClose: () => void }) {
  const t = useT();
  return (
    <Dialog open={open} onClose={onClose} title={t('bots.new')} description={t('bots.wizardDesc')} size="lg">
      <Wizard onClose={onClose} />
    </Dialog>
  );
}

function Wizard({ onClose }: { onClose: () => void }) {
  const t = useT();
  const toast = useToast();
  const errorMessage = useErrorMessage();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const org = useOrg();
  const models = useQuery(chatModelsQuery(org.id));
  const [step, setStep] = useState(0);
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [type, setType] = useState<BotType>('ai');
  const [knowledgeBaseIds, setKnowledgeBaseIds] = useState<string[]>([]);
  const [model, setModel] = useState('');
  const [look, setLook] = useState<Required<Pick<WidgetLook, 'title' | 'primaryColor' | 'position'>>>({
    title: '',
    primaryColor: DEFAULT_COLOR,
    position: 'bottom-right',
  });
  const [welcomeMessage, setWelcomeMessage] = useState('');
  useEffect(() => {
    if (!model && models.data) setModel(models.data.defaultModel);
  }, [models.data, model]);

  const create = useMutation({
    meta: OWN_ERROR,
    mutationFn: () =>
      api<Bot>(chatbotApi.bots, {
        method: 'POST',
        body: {
          name: name.trim(),
          description: description.trim() || null,
          type,
          knowledgeBaseIds,
          ...(model && { model }),
          welcomeMessage: welcomeMessage.trim() || null,
          widget: { title: look.title.trim() || name.trim(), primaryColor: look.primaryColor, position: look.position },
        },
        orgId: org.id,
      }),
    onSuccess: async (bot) => {
      toast.success(t('bots.created', { name: bot.name }));
      queryClient.setQueryData(queryKeys.chatbots.detail(org.id, bot.id), bot);
      await queryClient.invalidateQueries({ queryKey: queryKeys.chatbots.all(org.id) });
      await navigate({ to: '/chatbots/$botId', params: { botId: bot.id } });
    },
    onError: (e) => {
      // Send the user back to the step that holds the first invalid field.
      if (e instanceof ApiError && e.fieldErrors.length) {
        const first = e.fieldErrors[0].path;
        setStep(/^(name|description|type)/.test(first) ? 0 : /^(model|knowledge)/.test(first) ? 1 : 2);
      }
    },
  });
  const fe = (p: string) => fieldErrorOf(create.error, p);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (step < STEPS.length - 1) setStep(step + 1);
    else create.mutate();
  };

  return (
    <form onSubmit={submit} className="space-y-5">
      <ol className="flex items-center gap-2 text-xs font-medium" aria-label={t('bots.wizardProgress')}>
        {STEPS.map((s, i) => (
          <li key={s} className="flex flex-1 items-center gap-2" aria-current={i === step ? 'step' : undefined}>
            <span
              className={cx(
                'flex size-6 shrink-0 items-center justify-center rounded-full',
                i < step
                  ? 'bg-indigo-600 text-white'
                  : i === step
                    ? 'bg-indigo-50 text-indigo-700 ring-2 ring-indigo-600 dark:bg-indigo-950 dark:text-indigo-200'
                    : 'bg-zinc-100 text-zinc-500 dark:bg-zinc-800',
              )}
              aria-hidden="true"
            >
              {i < step ? '✓' : i + 1}
            </span>
            <span className={cx('truncate', i === step ? 'text-zinc-900 dark:text-zinc-100' : 'text-zinc-500')}>
              <span className="sr-only">{t('bots.stepOf', { n: i + 1, total: STEPS.length })} </span>
              {t(`bots.step.${s}`)}
            </span>
            {i < STEPS.length - 1 && <span className="hidden h-px flex-1 bg-zinc-200 sm:block dark:bg-zinc-700" aria-hidden="true" />}
          </li>
        ))}
      </ol>

      {step === 0 && (
        <div className="space-y-4">
          <TextField
            label={t('bots.name')}
            value={name}
            onChange={(e) => setName(e.target.value)}
            required
            maxLength={200}
            placeholder={t('bots.namePlaceholder')}
            error={fe('name')}
            autoFocus
          />
          <TextAreaField
            label={`${t('bots.description')} (${t('common.optional')})`}
            value={description}
            onChange={(e) => setDescription(e.target.value)}
            rows={2}
            placeholder={t('bots.descriptionPlaceholder')}
            error={fe('description')}
          />
          <TypeChoice value={type} onChange={setType} />
        </div>
      )}

      {step === 1 && (
        <div className="space-y-5">
          <fieldset>
            <legend className="mb-1 text-sm font-medium text-zinc-700 dark:text-zinc-300">{t('bots.knowledgeBases')}</legend>
            <p className="mb-3 text-xs text-zinc-500">{t('bots.knowledgeHint')}</p>
            <KnowledgeChecklist selected={knowledgeBaseIds} onChange={setKnowledgeBaseIds} compact />
          </fieldset>
          {type === 'ai' ? (
            <ModelSelect label={t('bots.model')} value={model} onChange={setModel} error={fe('model')} hint={t('bots.modelHint')} />
          ) : (
            <Alert>{t('bots.autoNoModel')}</Alert>
          )}
        </div>
      )}

      {step === 2 && (
        <div className="grid gap-4 sm:grid-cols-2">
          <TextField
            className="sm:col-span-2"
            label={t('bots.widget.title')}
            value={look.title}
            onChange={(e) => setLook((l) => ({ ...l, title: e.target.value }))}
            placeholder={name}
            maxLength={80}
            error={fe('widget.title')}
          />
          <ColorField value={look.primaryColor} onChange={(c) => setLook((l) => ({ ...l, primaryColor: c }))} error={fe('widget.primaryColor')} />
          <PositionField value={look.position} onChange={(p) => setLook((l) => ({ ...l, position: p }))} />
          <TextAreaField
            className="sm:col-span-2"
            label={t('bots.welcomeMessage')}
            value={welcomeMessage}
            onChange={(e) => setWelcomeMessage(e.target.value)}
            rows={2}
            placeholder={t('bots.welcomePlaceholder')}
            error={fe('welcomeMessage')}
          />
        </div>
      )}

      {create.error && !hasFieldErrors(create.error) && <Alert tone="error">{errorMessage(create.error)}</Alert>}
      <div className="flex flex-wrap justify-between gap-2 border-t border-zinc-100 pt-4 dark:border-zinc-800">
        <Button variant="ghost" onClick={onClose}>
          {t('common.cancel')}
        </Button>
        <div className="flex gap-2">
          {step > 0 && (
            <Button variant="secondary" onClick={() => setStep(step - 1)}>
              {t('bots.back')}
            </Button>
          )}
          <Button type="submit" loading={create.isPending}>
            {step < STEPS.length - 1 ? t('bots.next') : t('bots.createDraft')}
          </Button>
        </div>
      </div>
    </form>
  );
}

export function TypeChoice({ value, onChange, disabled }: { value: BotType; onChange: (v: BotType) => void; disabled?: boolean }) {
  const t = useT();
  return (
    <fieldset disabled={disabled}>
      <legend className="mb-1.5 text-sm font-medium text-zinc-700 dark:text-zinc-300">{t('bots.typeLabel')}</legend>
      <div className="grid gap-3 sm:grid-cols-2">
        {(['ai', 'auto'] as const).map((ty) => (
          <label
            key={ty}
            className={cx(
              'flex cursor-pointer gap-3 rounded-lg p-3 ring-1 has-focus-visible:ring-2 has-focus-visible:ring-indigo-600',
              value === ty
                ? 'bg-indigo-50/60 ring-indigo-600 dark:bg-indigo-950/40'
                : 'ring-zinc-300 hover:bg-zinc-50 dark:ring-zinc-700 dark:hover:bg-zinc-800',
            )}
          >
            <input type="radio" name="bot-type" value={ty} checked={value === ty} onChange={() => onChange(ty)} className="mt-0.5 accent-indigo-600" />
            <span>
              <span className="block text-sm font-medium">{t(`bots.type.${ty}`)}</span>
              <span className="block text-xs text-zinc-500">{t(`bots.typeDesc.${ty}`)}</span>
            </span>
          </label>
        ))}
      </div>
    </fieldset>
  );
}
