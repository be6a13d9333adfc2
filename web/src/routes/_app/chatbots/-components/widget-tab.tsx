import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useId, useState } from 'react';
import { useToast } from '../../../../components/toast';
import { Alert, Badge, Button, Card, ConfirmDialog, CopyButton, cx, EmptyState, SelectField, Spinner, TextField } from '../../../../components/ui';
import { OWN_ERROR } from '../../../../lib/mutation-errors';
import type { ApiResponse } from '../../../../lib/api-contract';
import { api, fieldErrorOf, hasFieldErrors } from '../../../../lib/api';
import { useErrorMessage, useT } from '../../../../lib/i18n';
import { chatbotApi, identitySecretQuery, type Bot, type PreChatField, type WidgetLook } from '../../../../lib/queries';
import { useOrg } from '../../../../lib/use-org';
import { queryKeys } from '../../../../lib/query-keys';
import { SaveBar, sameJson, UnsavedChangesGuard } from './shared';
import { WidgetMock } from './widget-mock';

export const DEFAULT_COLOR = '#4f46e5';
const HEX = /^#[0-9a-f]{6}$/i;
const SWATCHES = ['#4f46e5', '#2563eb', '#0891b2', '#059669', '#d97706', '#dc2626', '#db2777', '#18181b'];
const FIELD_TYPES: PreChatField['type'][] = ['text', 'email', 'phone', 'select'];

export function ColorField({ value, onChange, error }: { value: string; onChange: (v: string) => void; error?: string }) {
  const t = useT();
  const id = useId();
  const [text, setText] = useState(value);
  // Follow outside changes (swatch, picker) while letting the text box hold half-typed values.
  if (HEX.test(text) && text.toLowerCase() !== value.toLowerCase()) setText(value);
  return (
    <div>
      <label htmlFor={id} className="mb-1.5 block text-sm font-medium text-zinc-700 dark:text-zinc-300">
        {t('bots.widget.color')}
      </label>
      <div className="flex items-center gap-2">
        <input
          type="color"
          value={HEX.test(value) ? value : DEFAULT_COLOR}
          onChange={(e) => {
            setText(e.target.value);
            onChange(e.target.value);
          }}
          aria-label={t('bots.widget.colorPicker')}
          className="h-9 w-11 shrink-0 cursor-pointer rounded-lg border-0 bg-transparent p-0.5 ring-1 ring-zinc-300 dark:ring-zinc-700"
        />
        <input
          id={id}
          value={text}
          onChange={(e) => {
            setText(e.target.value);
            if (HEX.test(e.target.value)) onChange(e.target.value);
          }}
          maxLength={7}
          spellCheck={false}
          aria-invalid={error || !HEX.test(text) ? true : undefined}
          aria-describedby={`${id}-desc`}
          className="block w-28 rounded-lg border-0 bg-white px-3 py-2 font-mono text-sm shadow-sm ring-1 ring-zinc-300 ring-inset focus:ring-2 focus:ring-indigo-600 focus:outline-none aria-[invalid=true]:ring-red-500 dark:bg-zinc-900 dark:ring-zinc-700"
        />
      </div>
      <div className="mt-2 flex flex-wrap gap-1.5" role="group" aria-label={t('bots.widget.swatches')}>
        {SWATCHES.map((c) => (
          <button
            key={c}
            type="button"
            onClick={() => {
              setText(c);
              onChange(c);
            }}
            aria-label={c}
            aria-pressed={value.toLowerCase() === c}
            className={cx(
              'size-6 rounded-full ring-offset-2 focus-visible:ring-2 focus-visible:ring-indigo-600 focus-visible:outline-none dark:ring-offset-zinc-900',
              value.toLowerCase() === c && 'ring-2 ring-zinc-900 dark:ring-zinc-100',
            )}
            style={{ backgroundColor: c }}
          />
        ))}
      </div>
      <p id={`${id}-desc`} className={cx('mt-1.5 text-xs', error || !HEX.test(text) ? 'text-red-600 dark:text-red-400' : 'text-zinc-500')}>
        {error || (!HEX.test(text) ? t('bots.widget.colorInvalid') : t('bots.widget.colorHint'))}
      </p>
    </div>
  );
}

export function PositionField({ value, onChange }: { value: NonNullable<WidgetLook['position']>; onChange: (v: NonNullable<WidgetLook['position']>) => void }) {
  const t = useT();
  return (
    <fieldset>
      <legend className="mb-1.5 text-sm font-medium text-zinc-700 dark:text-zinc-300">{t('bots.widget.position')}</legend>
      <div className="grid grid-cols-2 gap-2">
        {(['bottom-left', 'bottom-right'] as const).map((p) => (
          <label
            key={p}
            className={cx(
              'flex cursor-pointer flex-col gap-2 rounded-lg p-2 text-xs ring-1 has-focus-visible:ring-2 has-focus-visible:ring-indigo-600',
              value === p
                ? 'bg-indigo-50/60 ring-indigo-600 dark:bg-indigo-950/40'
                : 'ring-zinc-300 hover:bg-zinc-50 dark:ring-zinc-700 dark:hover:bg-zinc-800',
            )}
          >
            <input type="radio" name="widget-position" value={p} checked={value === p} onChange={() => onChange(p)} className="sr-only" />
            <span
              aria-hidden="true"
              className={cx('flex h-10 items-end rounded bg-zinc-100 p-1 dark:bg-zinc-800', p === 'bottom-right' ? 'justify-end' : 'justify-start')}
            >
              <span className="size-3 rounded-full bg-indigo-600" />
            </span>
            <span className="font-medium">{t(`bots.widget.position.${p}`)}</span>
          </label>
        ))}
      </div>
    </fieldset>
  );
}

interface FieldRow extends PreChatField {
  uid: number;
  optionsText: string;
}
let uidSeq = 1;

function fromBot(bot: Bot) {
  const w = bot.widget ?? {};
  return {
    look: {
      title: w.title ?? '',
      avatarUrl: w.avatarUrl ?? '',
      primaryColor: w.primaryColor ?? DEFAULT_COLOR,
      position: w.position ?? 'bottom-right',
      launcherText: w.launcherText ?? '',
      theme: w.theme ?? 'auto',
    } as Required<WidgetLook>,
    fields: (bot.preChatForm ?? []).map((f): FieldRow => ({ ...f, uid: uidSeq++, optionsText: (f.options ?? []).join(', ') })),
    origins: bot.allowedOrigins ?? [],
  };
}
type Form = ReturnType<typeof fromBot>;

function toBody(f: Form) {
  const widget: WidgetLook = { ...f.look };
  for (const k of ['title', 'avatarUrl', 'launcherText'] as const) {
    const v = widget[k]?.trim();
    if (v) widget[k] = v;
    else delete widget[k];
  }
  return {
    widget,
    preChatForm: f.fields.map(({ key, label, type, required, optionsText }) => ({
      key: key.trim(),
      label: label.trim(),
      type,
      required,
      ...(type === 'select' && {
        options: optionsText
          .split(',')
          .map((o) => o.trim())
          .filter(Boolean),
      }),
    })),
    allowedOrigins: f.origins,
  };
}

const slugKey = (label: string) =>
  label
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_|_$/g, '')
    // The API wants a letter first.
    .replace(/^(?=[^a-z])/, 'f_')
    .slice(0, 40);

/** `https://shop.example.com` or `http://localhost:3000`: scheme + host (+ port), nothing else. */
export function normalizeOrigin(input: string): string | null {
  try {
    const u = new URL(input.trim());
    if (u.protocol !== 'https:' && u.protocol !== 'http:') return null;
    if ((u.pathname !== '/' && u.pathname !== '') || u.search || u.hash) return null;
    return u.origin;
  } catch {
    return null;
  }
}

export function WidgetTab({ bot, canWrite }: { bot: Bot; canWrite: boolean }) {
  return (
    <div className="space-y-6">
      {/* Restarts from what the server stored after a save; status changes leave edits alone. */}
      <WidgetForm key={JSON.stringify(toBody(fromBot(bot)))} bot={bot} canWrite={canWrite} />
      {canWrite && <IdentitySecretCard bot={bot} />}
    </div>
  );
}

function WidgetForm({ bot, canWrite }: { bot: Bot; canWrite: boolean }) {
  const t = useT();
  const toast = useToast();
  const errorMessage = useErrorMessage();
  const queryClient = useQueryClient();
  const org = useOrg();
  const [initial] = useState(() => fromBot(bot));
  const [form, setForm] = useState(initial);
  const [origin, setOrigin] = useState('');
  const [originError, setOriginError] = useState<string | null>(null);
  const base = toBody(initial);
  const next = toBody(form);
  const changed = Object.fromEntries(Object.entries(next).filter(([k, v]) => !sameJson(v, base[k as keyof typeof base])));
  const dirty = Object.keys(changed).length > 0;
  const setLook = <K extends keyof WidgetLook>(k: K, v: Required<WidgetLook>[K]) => setForm((f) => ({ ...f, look: { ...f.look, [k]: v } }));
  const setField = (uid: number, patch: Partial<FieldRow>) => setForm((f) => ({ ...f, fields: f.fields.map((r) => (r.uid === uid ? { ...r, ...patch } : r)) }));
  const move = (i: number, by: number) =>
    setForm((f) => {
      const fields = [...f.fields];
      const [row] = fields.splice(i, 1);
      fields.splice(i + by, 0, row);
      return { ...f, fields };
    });
  const colorValid = HEX.test(form.look.primaryColor);

  const save = useMutation({
    meta: OWN_ERROR,
    mutationFn: () => api<Bot>(chatbotApi.bot(bot.id), { method: 'PUT', body: changed, orgId: org.id }),
    onSuccess: async (updated) => {
      toast.success(t('common.saved'));
      queryClient.setQueryData(queryKeys.chatbots.detail(org.id, bot.id), updated);
      await queryClient.invalidateQueries({ queryKey: queryKeys.chatbots.all(org.id) });
    },
  });
  const fe = (p: string) => fieldErrorOf(save.error, p);

  const addOrigin = () => {
    const o = normalizeOrigin(origin);
    if (!o) return setOriginError(t('bots.origins.invalid'));
    if (form.origins.includes(o)) return setOriginError(t('bots.origins.duplicate'));
    setForm((f) => ({ ...f, origins: [...f.origins, o] }));
    setOrigin('');
    setOriginError(null);
  };

  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        if (colorValid) save.mutate();
      }}
      className="space-y-6"
    >
      <UnsavedChangesGuard dirty={dirty && !save.isPending && canWrite} />
      <fieldset disabled={!canWrite} className="min-w-0 space-y-6">
        <Card title={t('bots.widget.lookTitle')} description={t('bots.widget.lookDesc')}>
          <div className="grid gap-6 lg:grid-cols-[1fr_18rem]">
            <div className="grid content-start gap-4 sm:grid-cols-2">
              <TextField
                label={t('bots.widget.title')}
                value={form.look.title}
                onChange={(e) => setLook('title', e.target.value)}
                placeholder={bot.name}
                maxLength={80}
                error={fe('widget.title')}
              />
              <TextField
                label={t('bots.widget.launcherText')}
                value={form.look.launcherText}
                onChange={(e) => setLook('launcherText', e.target.value)}
                placeholder={t('bots.widget.launcherPlaceholder')}
                maxLength={40}
                error={fe('widget.launcherText')}
              />
              <TextField
                className="sm:col-span-2"
                label={t('bots.widget.avatarUrl')}
                type="url"
                value={form.look.avatarUrl}
                onChange={(e) => setLook('avatarUrl', e.target.value)}
                placeholder="https://…/logo.png"
                error={fe('widget.avatarUrl')}
              />
              <ColorField value={form.look.primaryColor} onChange={(c) => setLook('primaryColor', c)} error={fe('widget.primaryColor')} />
              <div className="space-y-4">
                <PositionField value={form.look.position} onChange={(p) => setLook('position', p)} />
                <SelectField
                  label={t('bots.widget.theme')}
                  value={form.look.theme}
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
              <WidgetMock look={form.look} botName={bot.name} welcome={bot.welcomeMessage} className="h-80" />
            </div>
          </div>
        </Card>

        <Card
          title={t('bots.prechat.title')}
          description={t('bots.prechat.desc')}
          actions={
            canWrite && (
              <Button
                variant="secondary"
                size="sm"
                onClick={() =>
                  setForm((f) => ({ ...f, fields: [...f.fields, { uid: uidSeq++, key: '', label: '', type: 'text', required: false, optionsText: '' }] }))
                }
              >
                + {t('bots.prechat.add')}
              </Button>
            )
          }
        >
          {form.fields.length === 0 ? (
            <EmptyState title={t('bots.prechat.empty')} description={t('bots.prechat.emptyDesc')} />
          ) : (
            <ol className="space-y-3">
              {form.fields.map((f, i) => (
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
                          disabled={i === form.fields.length - 1}
                          onClick={() => move(i, 1)}
                          aria-label={t('bots.prechat.down', { n: i + 1 })}
                        >
                          ↓
                        </Button>
                        <Button
                          variant="ghost"
                          size="sm"
                          className="text-red-600 dark:text-red-400"
                          onClick={() => setForm((s) => ({ ...s, fields: s.fields.filter((r) => r.uid !== f.uid) }))}
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

        <Card title={t('bots.origins.title')} description={t('bots.origins.desc')}>
          <div className="space-y-3">
            {form.origins.length === 0 ? (
              <Alert tone="warning">{t('bots.origins.any')}</Alert>
            ) : (
              <ul className="flex flex-wrap gap-2" aria-label={t('bots.origins.title')}>
                {form.origins.map((o) => (
                  <li key={o} className="inline-flex items-center gap-1 rounded-full bg-zinc-100 py-1 pr-1 pl-3 font-mono text-xs dark:bg-zinc-800">
                    {o}
                    {canWrite && (
                      <button
                        type="button"
                        onClick={() => setForm((f) => ({ ...f, origins: f.origins.filter((x) => x !== o) }))}
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
      </fieldset>

      {save.error && <Alert tone="error">{hasFieldErrors(save.error) ? t('errors.validation_failed') : errorMessage(save.error)}</Alert>}
      {canWrite && <SaveBar dirty={dirty} pending={save.isPending} onReset={() => setForm(initial)} />}
    </form>
  );
}

function IdentitySecretCard({ bot }: { bot: Bot }) {
  const t = useT();
  const toast = useToast();
  const errorMessage = useErrorMessage();
  const queryClient = useQueryClient();
  const org = useOrg();
  const [revealed, setRevealed] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const secret = useQuery({ ...identitySecretQuery(org.id, bot.id), enabled: revealed });
  const rotate = useMutation({
    mutationFn: () => api<ApiResponse<'/api/v1/chatbots/{chatbot_id}/identity-secret', 'post'>>(chatbotApi.identitySecret(bot.id), { method: 'POST', body: {}, orgId: org.id }),
    onSuccess: (data) => {
      queryClient.setQueryData(identitySecretQuery(org.id, bot.id).queryKey, data);
      setConfirming(false);
      setRevealed(true);
      toast.success(t('bots.identity.rotated'));
    },
  });
  const value = secret.data?.secret;
  const sample = `// ${t('bots.identity.sampleServer')}
import { createHmac } from 'node:crypto';

const hash = createHmac('sha256', process.env.VERSAAI_IDENTITY_SECRET)
  .update(String(user.id))
  .digest('hex');

// ${t('bots.identity.samplePage')}
window.VersaAI.identify({ id: user.id, name: user.name, email: user.email, hash });`;
  return (
    <Card title={t('bots.identity.title')} description={t('bots.identity.desc')}>
      <div className="space-y-4">
        <div className="flex flex-wrap items-center gap-2">
          <code
            className="min-w-0 flex-1 truncate rounded-lg bg-zinc-100 px-3 py-2 font-mono text-sm dark:bg-zinc-800"
            aria-label={t('bots.identity.secret')}
            aria-live="polite"
          >
            {revealed && value ? value : '••••••••••••••••••••••••••••••••'}
          </code>
          {revealed && secret.isFetching && <Spinner className="size-4" />}
          <Button variant="secondary" size="sm" onClick={() => setRevealed((r) => !r)} aria-pressed={revealed}>
            {revealed ? t('bots.identity.hide') : t('bots.identity.reveal')}
          </Button>
          {revealed && value && <CopyButton value={value} />}
          <Button variant="danger" size="sm" onClick={() => setConfirming(true)}>
            {t('bots.identity.rotate')}
          </Button>
        </div>
        {secret.isError && <Alert tone="error">{errorMessage(secret.error)}</Alert>}
        <details className="group rounded-lg ring-1 ring-zinc-200 dark:ring-zinc-800">
          <summary className="cursor-pointer list-none px-4 py-3 text-sm font-medium select-none">
            <span aria-hidden="true" className="mr-2 inline-block transition-transform group-open:rotate-90">
              ▸
            </span>
            {t('bots.identity.howTitle')}
          </summary>
          <div className="space-y-3 border-t border-zinc-100 px-4 py-3 dark:border-zinc-800">
            <p className="text-sm text-zinc-600 dark:text-zinc-400">{t('bots.identity.how')}</p>
            <div className="relative">
              <pre className="overflow-x-auto rounded-lg bg-zinc-950 p-4 font-mono text-xs leading-relaxed text-zinc-100">{sample}</pre>
              <div className="absolute top-2 right-2">
                <CopyButton value={sample} />
              </div>
            </div>
          </div>
        </details>
        <p className="text-xs text-zinc-500">
          <Badge tone="amber">{t('bots.identity.unverified')}</Badge> {t('bots.identity.unverifiedDesc')}
        </p>
      </div>
      <ConfirmDialog
        open={confirming}
        onClose={() => setConfirming(false)}
        onConfirm={() => rotate.mutate()}
        pending={rotate.isPending}
        title={t('bots.identity.rotateTitle')}
        description={t('bots.identity.rotateBody')}
        confirmLabel={t('bots.identity.rotate')}
      />
    </Card>
  );
}
