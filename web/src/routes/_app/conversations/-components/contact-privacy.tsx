import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useNavigate } from '@tanstack/react-router';
import { useState } from 'react';
import { useToast } from '../../../../components/toast';
import { Button, ConfirmDialog } from '../../../../components/ui';
import { api } from '../../../../lib/api';
import { useT } from '../../../../lib/i18n';
import { OWN_ERROR } from '../../../../lib/mutation-errors';
import { queryKeys } from '../../../../lib/query-keys';
import { downloadJson } from '../../../../lib/download';

/**
 * The contact panel's privacy actions (admins): download everything about the person, or erase
 * it after a confirmation. After erasure the conversation no longer exists, so the inbox goes back
 * to its list.
 */
export function ContactPrivacyActions({ orgId, contactId, name }: { orgId: string; contactId: string; name: string | null }) {
  const t = useT();
  const toast = useToast();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const [confirming, setConfirming] = useState(false);
  const exportData = useMutation({
    meta: OWN_ERROR,
    mutationFn: () => api<unknown>(`/api/v1/contacts/${contactId}/export`, { orgId }),
    onSuccess: (data) => {
      downloadJson(data, `contact-${contactId}.json`);
      toast.success(t('privacy.contact.exported'));
    },
  });
  const erase = useMutation({
    meta: OWN_ERROR,
    mutationFn: () => api(`/api/v1/contacts/${contactId}`, { method: 'DELETE', orgId }),
    onSuccess: async () => {
      setConfirming(false);
      toast.success(t('privacy.contact.erased'));
      await navigate({ to: '/conversations' });
      queryClient.removeQueries({ queryKey: queryKeys.conversations.all(orgId), type: 'inactive' });
      await queryClient.invalidateQueries({ queryKey: queryKeys.conversations.all(orgId) });
    },
  });
  return (
    <div className="mt-3 flex flex-wrap gap-2">
      <Button variant="secondary" size="sm" loading={exportData.isPending} onClick={() => exportData.mutate()}>
        {t('privacy.contact.export')}
      </Button>
      <Button variant="danger" size="sm" onClick={() => setConfirming(true)}>
        {t('privacy.contact.erase')}
      </Button>
      <ConfirmDialog
        open={confirming}
        onClose={() => setConfirming(false)}
        onConfirm={() => erase.mutate()}
        title={t('privacy.contact.eraseTitle', { name: name || t('privacy.contact.unnamed') })}
        description={t('privacy.contact.eraseDesc')}
        confirmLabel={t('privacy.contact.eraseConfirm')}
        pending={erase.isPending}
      />
    </div>
  );
}
