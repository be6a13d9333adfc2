import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useEffect, useId, useState } from 'react';
import { useToast } from '../../../../../components/toast';
import { Alert, Button, Dialog, TextField } from '../../../../../components/ui';
import { OWN_ERROR } from '../../../../../lib/mutation-errors';
import { fieldErrorOf, hasFieldErrors } from '../../../../../lib/api';
import { useErrorMessage, useT } from '../../../../../lib/i18n';
import type { MessageKey } from '../../../../../lib/messages';
import { WEBHOOK_EVENT_GROUPS, WEBHOOK_EVENTS, webhooksApi, type Webhook, type WebhookEvent } from '../../../../../lib/queries-webhooks';
import { PrivateUrlHint } from '../../../-components/local-hints';
import { queryKeys } from '../../../../../lib/query-keys';

/**
 * Add or edit an endpoint: name, URL and the events it gets, as checkboxes grouped by area.
 * The server checks the URL (https, public address) and its message shows under the field.
 */
export function WebhookFormDialog({
  orgId,
  open,
  editing,
  onClose,
  onCreated,
}: {
  orgId: string;
  open: boolean;
  /** The endpoint being edited; none to add one. */
  editing?: Webhook | null;
  onClose: () => void;
  onCreated?: (created: Webhook & { secret: string }) => void;
}) {
  const t = useT();
  const toast = useToast();
  const errorMessage = useErrorMessage();
  const queryClient = useQueryClient();
  const [name, setName] = useState('');
  const [url, setUrl] = useState('');
  const [events, setEvents] = useState<WebhookEvent[]>([]);
  const [showEventsError, setShowEventsError] = useState(false);

  const save = useMutation({
    meta: OWN_ERROR,
    mutationFn: () => {
      const input = { name: name.trim() || undefined, url: url.trim(), events };
      return editing ? webhooksApi.update(orgId, editing.id, input) : webhooksApi.create(orgId, input);
    },
    onSuccess: async (saved) => {
      await queryClient.invalidateQueries({ queryKey: queryKeys.webhooks.all(orgId) });
      if ('secret' in saved) onCreated?.(saved as Webhook & { secret: string });
      toast.success(t(editing ? 'webhooks.saved' : 'webhooks.created'));
      onClose();
    },
  });
  const { reset } = save;
  // Each opening starts from the endpoint (or sensible defaults) and without the last error.
  useEffect(() => {
    if (!open) return;
    setName(editing?.name ?? '');
    setUrl(editing?.url ?? '');
    setEvents(editing?.events ?? ['conversation.created', 'message.created']);
    setShowEventsError(false);
    reset();
  }, [open, editing, reset]);

  const toggle = (event: WebhookEvent) => setEvents((current) => (current.includes(event) ? current.filter((e) => e !== event) : [...current, event]));
  const allChecked = events.length === WEBHOOK_EVENTS.length;
  const eventsError = showEventsError && events.length === 0 ? t('webhooks.eventsRequired') : fieldErrorOf(save.error, 'events');

  return (
    <Dialog open={open} onClose={onClose} size="lg" title={editing ? t('webhooks.formEditTitle', { name: editing.name }) : t('webhooks.formAddTitle')}>
      <form
        noValidate
        className="space-y-4"
        onSubmit={(e) => {
          e.preventDefault();
          if (events.length === 0) {
            setShowEventsError(true);
            return;
          }
          save.mutate();
        }}
      >
        <TextField
          label={t('webhooks.url')}
          type="url"
          inputMode="url"
          value={url}
          onChange={(e) => setUrl(e.target.value)}
          required
          maxLength={2048}
          placeholder="https://hooks.example.com/versaai"
          hint={t('webhooks.urlHint')}
          error={fieldErrorOf(save.error, 'url')}
          autoFocus
        />
        <PrivateUrlHint error={save.error} target="webhook" />
        <TextField
          label={t('webhooks.name')}
          value={name}
          onChange={(e) => setName(e.target.value)}
          maxLength={200}
          placeholder={t('webhooks.namePlaceholder')}
          hint={t('webhooks.nameHint')}
          error={fieldErrorOf(save.error, 'name')}
        />
        <fieldset aria-describedby={eventsError ? 'webhook-events-error' : undefined}>
          <div className="mb-2 flex items-center justify-between gap-3">
            <legend className="text-sm font-medium text-zinc-700 dark:text-zinc-300">{t('webhooks.eventsLegend')}</legend>
            <label className="flex cursor-pointer items-center gap-2 text-xs text-zinc-600 dark:text-zinc-400">
              <input
                type="checkbox"
                className="size-4 rounded accent-indigo-600"
                checked={allChecked}
                onChange={() => setEvents(allChecked ? [] : [...WEBHOOK_EVENTS])}
              />
              {t('webhooks.selectAll')}
            </label>
          </div>
          <div className="space-y-3">
            {(Object.keys(WEBHOOK_EVENT_GROUPS) as Array<keyof typeof WEBHOOK_EVENT_GROUPS>).map((group) => (
              <EventGroup key={group} group={group} selected={events} onToggle={toggle} />
            ))}
          </div>
          {eventsError && (
            <p id="webhook-events-error" className="mt-1.5 text-xs text-red-600 dark:text-red-400">
              {eventsError}
            </p>
          )}
        </fieldset>
        {save.error && !hasFieldErrors(save.error) && <Alert tone="error">{errorMessage(save.error)}</Alert>}
        <div className="flex justify-end gap-2 pt-2">
          <Button variant="secondary" onClick={onClose}>
            {t('common.cancel')}
          </Button>
          <Button type="submit" loading={save.isPending}>
            {editing ? t('webhooks.save') : t('webhooks.add')}
          </Button>
        </div>
      </form>
    </Dialog>
  );
}

function EventGroup({ group, selected, onToggle }: { group: keyof typeof WEBHOOK_EVENT_GROUPS; selected: WebhookEvent[]; onToggle: (e: WebhookEvent) => void }) {
  const t = useT();
  const id = useId();
  return (
    <div role="group" aria-labelledby={`${id}-title`} className="rounded-lg p-3 ring-1 ring-zinc-200 dark:ring-zinc-800">
      <p id={`${id}-title`} className="mb-2 text-xs font-semibold tracking-wide text-zinc-500 uppercase">
        {t(`webhooks.group.${group}` as MessageKey)}
      </p>
      <ul className="grid gap-x-4 gap-y-2 sm:grid-cols-2">
        {WEBHOOK_EVENT_GROUPS[group].map((event) => (
          <li key={event} className="flex items-start gap-2">
            <input
              id={`${id}-${event}`}
              type="checkbox"
              className="mt-0.5 size-4 shrink-0 rounded accent-indigo-600"
              checked={selected.includes(event)}
              onChange={() => onToggle(event)}
              aria-describedby={`${id}-${event}-desc`}
            />
            <label htmlFor={`${id}-${event}`} className="min-w-0 cursor-pointer">
              <code className="block font-mono text-xs font-medium break-words text-zinc-800 dark:text-zinc-200">{event}</code>
              <span id={`${id}-${event}-desc`} className="block text-xs text-zinc-500">
                {t(`webhooks.event.${event}` as MessageKey)}
              </span>
            </label>
          </li>
        ))}
      </ul>
    </div>
  );
}
