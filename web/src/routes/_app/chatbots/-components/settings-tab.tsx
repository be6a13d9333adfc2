import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useNavigate } from '@tanstack/react-router';
import { useState } from 'react';
import { useToast } from '../../../../components/toast';
import { Alert, Button, Card } from '../../../../components/ui';
import { OWN_ERROR } from '../../../../lib/mutation-errors';
import { api, fieldErrorOf, hasFieldErrors } from '../../../../lib/api';
import { useErrorMessage, useT } from '../../../../lib/i18n';
import { chatbotApi, type Bot } from '../../../../lib/queries';
import { useOrg } from '../../../../lib/use-org';
import { fromBot, toBody, type Form, type SectionProps } from './settings-form-model';
import { BehaviourSection, GeneralSection, MessagesSection, RetrievalSection } from './settings-sections';
import { DeleteBotDialog, SaveBar, sameJson, UnsavedChangesGuard } from './shared';
import { queryKeys } from '../../../../lib/query-keys';

export function SettingsTab({ bot, canWrite }: { bot: Bot; canWrite: boolean }) {
  return (
    <div className="space-y-6">
      {/* Restarts from what the server stored after a save; status changes leave edits alone. */}
      <SettingsForm key={JSON.stringify(toBody(fromBot(bot)))} bot={bot} canWrite={canWrite} />
      {canWrite && <DangerZone bot={bot} />}
    </div>
  );
}

function SettingsForm({ bot, canWrite }: { bot: Bot; canWrite: boolean }) {
  const t = useT();
  const toast = useToast();
  const errorMessage = useErrorMessage();
  const queryClient = useQueryClient();
  const org = useOrg();
  const initial = fromBot(bot);
  const [form, setForm] = useState(initial);
  const set = <K extends keyof Form>(k: K, v: Form[K]) => setForm((f) => ({ ...f, [k]: v }));
  const base = toBody(initial);
  const next = toBody(form);
  const changed = Object.fromEntries(Object.entries(next).filter(([k, v]) => !sameJson(v, base[k as keyof typeof base])));
  const dirty = Object.keys(changed).length > 0;

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
  const sectionProps: SectionProps = { form, set, fe, canWrite };

  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        save.mutate();
      }}
      className="space-y-6"
    >
      <UnsavedChangesGuard dirty={dirty && !save.isPending && canWrite} />
      <fieldset disabled={!canWrite} className="min-w-0 space-y-6">
        <GeneralSection {...sectionProps} />
        <BehaviourSection {...sectionProps} />
        <MessagesSection {...sectionProps} />
        {form.type === 'ai' && <RetrievalSection {...sectionProps} />}
      </fieldset>

      {save.error && !hasFieldErrors(save.error) && <Alert tone="error">{errorMessage(save.error)}</Alert>}
      {save.error && hasFieldErrors(save.error) && <Alert tone="error">{t('errors.validation_failed')}</Alert>}
      {canWrite && <SaveBar dirty={dirty} pending={save.isPending} onReset={() => setForm(initial)} />}
    </form>
  );
}

function DangerZone({ bot }: { bot: Bot }) {
  const t = useT();
  const navigate = useNavigate();
  const [open, setOpen] = useState(false);
  return (
    <Card danger title={t('bots.dangerZone')} description={t('bots.deleteDesc')}>
      <Button variant="danger" onClick={() => setOpen(true)}>
        {t('bots.delete')}
      </Button>
      <DeleteBotDialog bot={bot} open={open} onClose={() => setOpen(false)} onDeleted={() => navigate({ to: '/chatbots' })} />
    </Card>
  );
}
