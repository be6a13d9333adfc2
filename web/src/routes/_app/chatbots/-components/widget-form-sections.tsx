/** The sections of the Widget tab's form (widget-tab.tsx holds the state and the save). */
import { useState } from 'react';
import { Alert, Button, Card, EmptyState, SelectField, TextField } from '../../../../components/ui';
import { useT } from '../../../../lib/i18n';
import type { Bot, PreChatField, WidgetLook } from '../../../../lib/queries';
import { FIELD_TYPES, newFieldRow, normalizeOrigin, slugKey, type FieldRow } from './widget-form-model';
import { ColorField, PositionField } from './widget-look-fields';
import { WidgetMock } from './widget-mock';

type FieldErrorOf = (path: string) => string | undefined;
type SetLook = <K extends keyof WidgetLook>(key: K, value: Required<WidgetLook>[K]) => void;

/** Title, avatar, colour, position and theme, next to a live preview. */
export function LookSection({ look, setLook, fe, bot }: { look: Required<WidgetLook>; setLook: SetLook; fe: FieldErrorOf; bot: Bot }) {
  const t = useT();
  return (
      <Card title={t('bots.widget.lookTitle')} description={t('bots.widget.lookDesc')}>
        <div className="grid gap-6 lg:grid-cols-[1fr_18rem]">
          <div className="grid content-start gap-4 sm:grid-cols-2">
            <TextField
              label={t('bots.widget.title')}
              value={look.title}
              onChange={(e) => setLook('title', e.target.value)}
              placeholder={bot.name}
              maxLength={80}
              error={fe('widget.title')}
            />
            <TextField
              label={t('bots.widget.launcherText')}
              value={look.launcherText}
              onChange={(e) => setLook('launcherText', e.target.value)}
              placeholder={t('bots.widget.launcherPlaceholder')}
              maxLength={40}
              error={fe('widget.launcherText')}
            />
            <TextField
              className="sm:col-span-2"
              label={t('bots.widget.avatarUrl')}
              type="url"
              value={look.avatarUrl}
              onChange={(e) => setLook('avatarUrl', e.target.value)}
              placeholder="https://…/logo.png"
              error={fe('widget.avatarUrl')}
            />
            <ColorField value={look.primaryColor} onChange={(c) => setLook('primaryColor', c)} error={fe('widget.primaryColor')} />
            <div className="space-y-4">
              <PositionField value={look.position} onChange={(p) => setLook('position', p)} />
              <SelectField
                label={t('bots.widget.theme')}
                value={look.theme}
                onChange={(e) => setLook('theme', e.target.value as Required<WidgetLook>['theme'])}
              >
                {(['auto', 'light', 'dark'] as const).map((th) => (
                  <option key={th} value={th}>
                    {t(`bots.widget.theme.${th}`)}
                  </option>
                ))}
              </SelectField>
            </div>
          </div>
          <div>
            <p className="mb-1.5 text-sm font-medium text-zinc-700 dark:text-zinc-300">{t('bots.widget.preview')}</p>
            <WidgetMock look={look} botName={bot.name} welcome={bot.welcomeMessage} className="h-80" />
          </div>
        </div>
      </Card>
  );
}

/** The fields a visitor fills in before the chat starts. */
export function PreChatSection({ fields, setFields, fe, canWrite }: { fields: FieldRow[]; setFields: (update: (rows: FieldRow[]) => FieldRow[]) => void; fe: FieldErrorOf; canWrite: boolean }) {
  const t = useT();
  const setField = (uid: number, patch: Partial<FieldRow>) => setFields((rows) => rows.map((r) => (r.uid === uid ? { ...r, ...patch } : r)));
  const move = (i: number, by: number) =>
    setFields((rows) => {
      const next = [...rows];
      const [row] = next.splice(i, 1);
      next.splice(i + by, 0, row);
      return next;
    });
  return (
      <Card
        title={t('bots.prechat.title')}
        description={t('bots.prechat.desc')}
        actions={
          canWrite && (
            <Button
              variant="secondary"
              size="sm"
              onClick={() =>
                setFields((rows) => [...rows, newFieldRow()])
              }
            >
              + {t('bots.prechat.add')}
            </Button>
          )
        }
      >
        {fields.length === 0 ? (
          <EmptyState title={t('bots.prechat.empty')} description={t('bots.prechat.emptyDesc')} />
        ) : (
          <ol className="space-y-3">
            {fields.map((f, i) => (
              <li key={f.uid} className="rounded-lg p-3 ring-1 ring-zinc-200 dark:ring-zinc-800">
                <div className="grid gap-3 sm:grid-cols-[1fr_1fr_9rem]">
                  <TextField
                    label={t('bots.prechat.label', { n: i + 1 })}
                    value={f.label}
                    onChange={(e) => {
                      const label = e.target.value;
                      // The key follows the label until the admin edits it by hand.
                      setField(f.uid, { label, ...(f.key === '' || f.key === slugKey(f.label) ? { key: slugKey(label) } : {}) });
                    }}
                    required
                    maxLength={80}
                    error={fe(`preChatForm.${i}.label`)}
                  />
                  <TextField
                    label={t('bots.prechat.key')}
                    value={f.key}
                    onChange={(e) => setField(f.uid, { key: e.target.value })}
                    required
                    pattern="[a-zA-Z][a-zA-Z0-9_]*"
                    maxLength={40}
                    hint={t('bots.prechat.keyHint')}
                    error={fe(`preChatForm.${i}.key`)}
                  />
                  <SelectField
                    label={t('bots.prechat.type')}
                    value={f.type}
                    onChange={(e) => setField(f.uid, { type: e.target.value as PreChatField['type'] })}
                  >
                    {FIELD_TYPES.map((ty) => (
                      <option key={ty} value={ty}>
                        {t(`bots.prechat.type.${ty}`)}
                      </option>
                    ))}
                  </SelectField>
                  {f.type === 'select' && (
                    <TextField
                      className="sm:col-span-3"
                      label={t('bots.prechat.options')}
                      value={f.optionsText}
                      onChange={(e) => setField(f.uid, { optionsText: e.target.value })}
                      hint={t('bots.prechat.optionsHint')}
                      required
                      error={fe(`preChatForm.${i}.options`)}
                    />
                  )}
                </div>
                <div className="mt-3 flex flex-wrap items-center gap-2">
                  <label className="mr-auto inline-flex items-center gap-2 text-sm">
                    <input
                      type="checkbox"
                      className="size-4 accent-indigo-600"
                      checked={f.required}
                      onChange={(e) => setField(f.uid, { required: e.target.checked })}
                    />
                    {t('bots.prechat.required')}
                  </label>
                  {canWrite && (
                    <>
                      <Button variant="ghost" size="sm" disabled={i === 0} onClick={() => move(i, -1)} aria-label={t('bots.prechat.up', { n: i + 1 })}>
                        ↑
                      </Button>
                      <Button
                        variant="ghost"
                        size="sm"
                        disabled={i === fields.length - 1}
                        onClick={() => move(i, 1)}
                        aria-label={t('bots.prechat.down', { n: i + 1 })}
                      >
                        ↓
                      </Button>
                      <Button
                        variant="ghost"
                        size="sm"
                        className="text-red-600 dark:text-red-400"
                        onClick={() => setFields((rows) => rows.filter((r) => r.uid !== f.uid))}
                        aria-label={t('bots.prechat.remove', { n: i + 1 })}
                      >
                        {t('common.remove')}
                      </Button>
                    </>
                  )}
                </div>
              </li>
            ))}
          </ol>
        )}
      </Card>
  );
}

/** The sites allowed to embed the widget. */
export function OriginsSection({ origins, setOrigins, fe, canWrite }: { origins: string[]; setOrigins: (update: (list: string[]) => string[]) => void; fe: FieldErrorOf; canWrite: boolean }) {
  const t = useT();
  const [origin, setOrigin] = useState('');
  const [originError, setOriginError] = useState<string | null>(null);
  const addOrigin = () => {
    const o = normalizeOrigin(origin);
    if (!o) return setOriginError(t('bots.origins.invalid'));
    if (origins.includes(o)) return setOriginError(t('bots.origins.duplicate'));
    setOrigins((list) => [...list, o]);
    setOrigin('');
    setOriginError(null);
  };
  return (
      <Card title={t('bots.origins.title')} description={t('bots.origins.desc')}>
        <div className="space-y-3">
          {origins.length === 0 ? (
            <Alert tone="warning">{t('bots.origins.any')}</Alert>
          ) : (
            <ul className="flex flex-wrap gap-2" aria-label={t('bots.origins.title')}>
              {origins.map((o) => (
                <li key={o} className="inline-flex items-center gap-1 rounded-full bg-zinc-100 py-1 pr-1 pl-3 font-mono text-xs dark:bg-zinc-800">
                  {o}
                  {canWrite && (
                    <button
                      type="button"
                      onClick={() => setOrigins((list) => list.filter((x) => x !== o))}
                      aria-label={t('bots.origins.remove', { origin: o })}
                      className="flex size-5 items-center justify-center rounded-full text-zinc-500 hover:bg-zinc-200 hover:text-zinc-900 dark:hover:bg-zinc-700 dark:hover:text-zinc-100"
                    >
                      ×
                    </button>
                  )}
                </li>
              ))}
            </ul>
          )}
          {canWrite && (
            <div className="flex flex-wrap items-start gap-2">
              <TextField
                className="min-w-56 flex-1"
                label={t('bots.origins.add')}
                value={origin}
                onChange={(e) => {
                  setOrigin(e.target.value);
                  setOriginError(null);
                }}
                onKeyDown={(e) => {
                  if (e.key === 'Enter') {
                    e.preventDefault();
                    addOrigin();
                  }
                }}
                placeholder="https://shop.example.com"
                error={originError ?? fe('allowedOrigins')}
                hint={t('bots.origins.hint')}
              />
              <Button variant="secondary" className="mt-7" onClick={addOrigin} disabled={!origin.trim()}>
                {t('bots.origins.addButton')}
              </Button>
            </div>
          )}
        </div>
      </Card>
  );
}
