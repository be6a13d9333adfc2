import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useToast } from '../../../../../components/toast';
import { Badge, Button, ConfirmDialog, CopyButton } from '../../../../../components/ui';
import { useT } from '../../../../../lib/i18n';
import type { MessageKey } from '../../../../../lib/messages';
import { webhooksApi, webhookState, type DeliveryStatus, type Webhook, type WebhookState } from '../../../../../lib/queries-webhooks';
import { queryKeys } from '../../../../../lib/query-keys';

const STATE_TONE: Record<WebhookState, 'green' | 'zinc' | 'red'> = { active: 'green', paused: 'zinc', disabled: 'red' };
const DELIVERY_TONE: Record<DeliveryStatus, 'green' | 'red' | 'amber'> = { succeeded: 'green', failed: 'red', pending: 'amber' };

export function WebhookStateBadge({ webhook }: { webhook: Pick<Webhook, 'isActive' | 'disabledAt'> }) {
  const t = useT();
  const state = webhookState(webhook);
  return <Badge tone={STATE_TONE[state]}>{t(`webhooks.state.${state}` as MessageKey)}</Badge>;
}

export function DeliveryStatusBadge({ status }: { status: DeliveryStatus }) {
  const t = useT();
  return <Badge tone={DELIVERY_TONE[status]}>{t(`webhooks.delivery.${status}` as MessageKey)}</Badge>;
}

/** A secret is returned once (creation, rotation): shown here until the admin dismisses it. */
export function SecretNotice({ name, secret, onDone }: { name: string; secret: string; onDone: () => void }) {
  const t = useT();
  return (
    <div className="rounded-lg bg-amber-50 p-4 ring-1 ring-amber-200 dark:bg-amber-950/30 dark:ring-amber-900" role="status">
      <p className="text-sm font-medium text-amber-900 dark:text-amber-200">{t('webhooks.secretOnce', { name })}</p>
      <div className="mt-3 flex flex-wrap items-center gap-2">
        <code
          aria-label={t('webhooks.secretLabel')}
          className="min-w-0 flex-1 rounded-md bg-white px-3 py-2 font-mono text-xs break-all ring-1 ring-amber-200 select-all dark:bg-zinc-900 dark:ring-amber-900"
        >
          {secret}
        </code>
        <CopyButton value={secret} />
        <Button variant="ghost" size="sm" onClick={onDone}>
          {t('common.done')}
        </Button>
      </div>
    </div>
  );
}

export type RevealedSecret = { name: string; secret: string };

/**
 * The actions an endpoint offers on both pages (test, pause/turn on, rotate, delete), with their
 * confirmations and toasts. Each page renders `dialogs` once.
 */
export function useWebhookActions(orgId: string, options: { onSecret: (s: RevealedSecret) => void; onDeleted?: () => void }) {
  const t = useT();
  const toast = useToast();
  const queryClient = useQueryClient();
  const [rotating, setRotating] = useState<Webhook | null>(null);
  const [deleting, setDeleting] = useState<Webhook | null>(null);
  const refresh = (webhookId?: string) =>
    Promise.all([
      queryClient.invalidateQueries({ queryKey: queryKeys.webhooks.all(orgId) }),
      webhookId ? queryClient.invalidateQueries({ queryKey: queryKeys.webhooks.deliveries(orgId, webhookId) }) : null,
    ]);

  const test = useMutation({
    mutationFn: (w: Webhook) => webhooksApi.test(orgId, w.id),
    onSuccess: ({ ok, delivery }) => {
      const attempt = delivery.attemptLog.at(-1);
      if (ok) toast.success(t('webhooks.testOk', { status: delivery.responseStatus ?? '', ms: attempt?.durationMs ?? 0 }));
      else toast.error(t('webhooks.testFailed', { error: delivery.lastError ?? '' }));
    },
    onSettled: (_data, _error, w) => refresh(w.id),
  });
  const toggle = useMutation({
    mutationFn: (w: Webhook) => webhooksApi.update(orgId, w.id, { isActive: !w.isActive }),
    onSuccess: (w) => toast.success(t(w.isActive ? 'webhooks.resumed' : 'webhooks.paused', { name: w.name })),
    onSettled: (_data, _error, w) => refresh(w.id),
  });
  const rotate = useMutation({
    mutationFn: (w: Webhook) => webhooksApi.rotateSecret(orgId, w.id),
    onSuccess: (w) => {
      setRotating(null);
      options.onSecret({ name: w.name, secret: w.secret });
    },
  });
  const remove = useMutation({
    mutationFn: (w: Webhook) => webhooksApi.remove(orgId, w.id),
    onSuccess: (_data, w) => {
      setDeleting(null);
      toast.success(t('webhooks.deleted', { name: w.name }));
      queryClient.removeQueries({ queryKey: queryKeys.webhooks.detail(orgId, w.id) });
      options.onDeleted?.();
    },
    onSettled: () => refresh(),
  });

  const dialogs = (
    <>
      <ConfirmDialog
        open={!!rotating}
        onClose={() => setRotating(null)}
        onConfirm={() => rotating && rotate.mutate(rotating)}
        pending={rotate.isPending}
        title={t('webhooks.rotateTitle')}
        description={t('webhooks.rotateBody')}
        confirmLabel={t('webhooks.rotate')}
      />
      <ConfirmDialog
        open={!!deleting}
        onClose={() => setDeleting(null)}
        onConfirm={() => deleting && remove.mutate(deleting)}
        pending={remove.isPending}
        title={t('webhooks.deleteTitle')}
        description={t('webhooks.deleteBody', { name: deleting?.name ?? '' })}
        confirmLabel={t('webhooks.delete')}
      />
    </>
  );

  return {
    test: (w: Webhook) => test.mutate(w),
    testing: test.isPending ? test.variables?.id : undefined,
    toggle: (w: Webhook) => toggle.mutate(w),
    toggling: toggle.isPending ? toggle.variables?.id : undefined,
    askRotate: setRotating,
    askDelete: setDeleting,
    dialogs,
  };
}
