import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useToast } from '../../../../components/toast';
import { Alert, Badge, Button, Card, ConfirmDialog, CopyButton, Spinner } from '../../../../components/ui';
import { OWN_ERROR } from '../../../../lib/mutation-errors';
import type { ApiResponse } from '../../../../lib/api-contract';
import { api, fieldErrorOf, hasFieldErrors } from '../../../../lib/api';
import { useErrorMessage, useT } from '../../../../lib/i18n';
import { chatbotApi, identitySecretQuery, type Bot, type WidgetLook } from '../../../../lib/queries';
import { useOrg } from '../../../../lib/use-org';
import { queryKeys } from '../../../../lib/query-keys';
import { SaveBar, sameJson, UnsavedChangesGuard } from './shared';
import { fromBot, toBody } from './widget-form-model';
import { LookSection, OriginsSection, PreChatSection } from './widget-form-sections';
import { HEX } from './widget-look-fields';

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
  const base = toBody(initial);
  const next = toBody(form);
  const changed = Object.fromEntries(Object.entries(next).filter(([k, v]) => !sameJson(v, base[k as keyof typeof base])));
  const dirty = Object.keys(changed).length > 0;
  const setLook = <K extends keyof WidgetLook>(k: K, v: Required<WidgetLook>[K]) => setForm((f) => ({ ...f, look: { ...f.look, [k]: v } }));
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
        <LookSection look={form.look} setLook={setLook} fe={fe} bot={bot} />
        <PreChatSection fields={form.fields} setFields={(update) => setForm((f) => ({ ...f, fields: update(f.fields) }))} fe={fe} canWrite={canWrite} />
        <OriginsSection origins={form.origins} setOrigins={(update) => setForm((f) => ({ ...f, origins: update(f.origins) }))} fe={fe} canWrite={canWrite} />
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
