/** The sections of an assistant's settings form (settings-tab.tsx holds the state and the save). */
import { useId } from 'react';
import { Card, SelectField, Switch, TextAreaField, TextField } from '../../../../components/ui';
import { useT } from '../../../../lib/i18n';
import type { BotType, Personality, BotLanguage } from '../../../../lib/queries';
import { TypeChoice } from './create-wizard';
import { LANGUAGES, PERSONALITIES, type SectionProps } from './settings-form-model';
import { ModelSelect } from './shared';

/** Name and description. */
export function GeneralSection({ form, set, fe }: SectionProps) {
  const t = useT();
  return (
    <Card title={t('bots.section.general')} description={t('bots.section.generalDesc')}>
      <div className="grid gap-4">
        <TextField label={t('bots.name')} value={form.name} onChange={(e) => set('name', e.target.value)} required maxLength={200} error={fe('name')} />
        <TextAreaField
          label={t('bots.description')}
          value={form.description}
          onChange={(e) => set('description', e.target.value)}
          rows={2}
          error={fe('description')}
        />
      </div>
    </Card>
  );
}

/** What answers: the type, the model and how it writes. */
export function BehaviourSection({ form, set, fe, canWrite }: SectionProps) {
  const t = useT();
  const tempId = useId();
  return (
    <Card title={t('bots.section.behaviour')} description={t('bots.section.behaviourDesc')}>
      <div className="grid gap-5 sm:grid-cols-2">
        <div className="sm:col-span-2">
          <TypeChoice value={form.type} onChange={(v: BotType) => set('type', v)} disabled={!canWrite} />
        </div>
        {form.type === 'auto' ? (
          <TextAreaField
            className="sm:col-span-2"
            label={t('bots.autoReply')}
            value={form.autoReply}
            onChange={(e) => set('autoReply', e.target.value)}
            rows={3}
            hint={t('bots.autoReplyHint')}
            error={fe('autoReply')}
            required
          />
        ) : (
          <>
            <ModelSelect
              label={t('bots.model')}
              value={form.model}
              onChange={(v) => set('model', v)}
              error={fe('model')}
              hint={t('bots.modelHint')}
              disabled={!canWrite}
            />
            <ModelSelect
              label={t('bots.fallbackModel')}
              value={form.fallbackModel}
              onChange={(v) => set('fallbackModel', v)}
              allowNone
              error={fe('fallbackModel')}
              hint={t('bots.fallbackModelHint')}
              disabled={!canWrite}
            />
            <TextAreaField
              className="sm:col-span-2"
              label={t('bots.systemPrompt')}
              value={form.systemPrompt}
              onChange={(e) => set('systemPrompt', e.target.value)}
              rows={6}
              placeholder={t('bots.systemPromptPlaceholder')}
              hint={t('bots.systemPromptHint')}
              error={fe('systemPrompt')}
            />
            <div>
              <div className="mb-1.5 flex items-center justify-between">
                <label htmlFor={tempId} className="text-sm font-medium text-zinc-700 dark:text-zinc-300">
                  {t('bots.temperature')}
                </label>
                <output htmlFor={tempId} className="text-sm font-semibold tabular-nums">
                  {form.temperature.toFixed(1)}
                </output>
              </div>
              <input
                id={tempId}
                type="range"
                min={0}
                max={2}
                step={0.1}
                value={form.temperature}
                onChange={(e) => set('temperature', Number(e.target.value))}
                aria-describedby={`${tempId}-hint`}
                className="w-full accent-indigo-600"
              />
              <p id={`${tempId}-hint`} className="mt-1 flex justify-between text-xs text-zinc-500">
                <span>{t('bots.temperatureLow')}</span>
                <span>{t('bots.temperatureHigh')}</span>
              </p>
              {fe('temperature') && <p className="mt-1 text-xs text-red-600">{fe('temperature')}</p>}
            </div>
            <TextField
              label={t('bots.maxTokens')}
              type="number"
              min={16}
              max={16000}
              step={1}
              value={form.maxTokens}
              onChange={(e) => set('maxTokens', e.target.value)}
              hint={t('bots.maxTokensHint')}
              error={fe('maxTokens')}
              required
            />
            <SelectField
              label={t('bots.personality')}
              value={form.personality}
              onChange={(e) => set('personality', e.target.value as Personality)}
              hint={t(`bots.personalityHint.${form.personality}`)}
              error={fe('personality')}
            >
              {PERSONALITIES.map((p) => (
                <option key={p} value={p}>
                  {t(`bots.personality.${p}`)}
                </option>
              ))}
            </SelectField>
            <TextField
              label={t('bots.memorySize')}
              type="number"
              min={0}
              max={50}
              value={form.memorySize}
              onChange={(e) => set('memorySize', e.target.value)}
              hint={t('bots.memorySizeHint')}
              error={fe('memorySize')}
              required
            />
          </>
        )}
        <SelectField
          label={t('bots.language')}
          value={form.language}
          onChange={(e) => set('language', e.target.value as BotLanguage)}
          hint={t('bots.languageHint')}
          error={fe('language')}
        >
          {LANGUAGES.map((l) => (
            <option key={l} value={l}>
              {t(`bots.language.${l}`)}
            </option>
          ))}
        </SelectField>
      </div>
    </Card>
  );
}

/** The fixed messages: welcome, fallback and out of hours. */
export function MessagesSection({ form, set, fe }: SectionProps) {
  const t = useT();
  return (
    <Card title={t('bots.section.messages')} description={t('bots.section.messagesDesc')}>
      <div className="grid gap-4">
        <TextAreaField
          label={t('bots.welcomeMessage')}
          value={form.welcomeMessage}
          onChange={(e) => set('welcomeMessage', e.target.value)}
          rows={2}
          placeholder={t('bots.welcomePlaceholder')}
          error={fe('welcomeMessage')}
        />
        <TextAreaField
          label={t('bots.fallbackMessage')}
          value={form.fallbackMessage}
          onChange={(e) => set('fallbackMessage', e.target.value)}
          rows={2}
          placeholder={t('bots.fallbackPlaceholder')}
          hint={t('bots.fallbackHint')}
          error={fe('fallbackMessage')}
        />
        <TextAreaField
          label={t('bots.outOfHoursMessage')}
          value={form.outOfHoursMessage}
          onChange={(e) => set('outOfHoursMessage', e.target.value)}
          rows={2}
          placeholder={t('bots.outOfHoursPlaceholder')}
          hint={t('bots.outOfHoursHint')}
          error={fe('outOfHoursMessage')}
        />
      </div>
    </Card>
  );
}

/** How answers use the knowledge bases (AI assistants only). */
export function RetrievalSection({ form, set, fe, canWrite }: SectionProps) {
  const t = useT();
  const thresholdId = useId();
  return (
    <Card title={t('bots.section.retrieval')} description={t('bots.section.retrievalDesc')}>
      <div className="grid gap-5 sm:grid-cols-2">
        <TextField
          label={t('bots.topK')}
          type="number"
          min={1}
          max={20}
          value={form.retrievalTopK}
          onChange={(e) => set('retrievalTopK', e.target.value)}
          hint={t('bots.topKHint')}
          error={fe('retrievalTopK')}
          required
        />
        <div>
          <div className="mb-1.5 flex items-center justify-between">
            <label htmlFor={thresholdId} className="text-sm font-medium text-zinc-700 dark:text-zinc-300">
              {t('bots.threshold')}
            </label>
            <output htmlFor={thresholdId} className="text-sm font-semibold tabular-nums">
              {form.retrievalThreshold.toFixed(2)}
            </output>
          </div>
          <input
            id={thresholdId}
            type="range"
            min={0}
            max={1}
            step={0.05}
            value={form.retrievalThreshold}
            onChange={(e) => set('retrievalThreshold', Number(e.target.value))}
            aria-describedby={`${thresholdId}-hint`}
            className="w-full accent-indigo-600"
          />
          <p id={`${thresholdId}-hint`} className="mt-1 text-xs text-zinc-500">
            {t('bots.thresholdHint')}
          </p>
        </div>
        <Switch
          className="sm:col-span-2"
          label={t('bots.answerOnlyFromKnowledge')}
          description={t('bots.answerOnlyFromKnowledgeHint')}
          checked={form.answerOnlyFromKnowledge}
          onChange={(v) => set('answerOnlyFromKnowledge', v)}
          disabled={!canWrite}
        />
        <Switch
          className="sm:col-span-2"
          label={t('bots.rerank')}
          description={t('bots.rerankHint')}
          checked={form.retrievalRerank}
          onChange={(v) => set('retrievalRerank', v)}
          disabled={!canWrite || form.model === 'builtin:extractive'}
        />
      </div>
    </Card>
  );
}
