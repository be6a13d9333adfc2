import { queryOptions, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { useToast } from '../../../../components/toast';
import { Alert, Button, Dialog, SelectField, TextField } from '../../../../components/ui';
import { api } from '../../../../lib/api';
import type { Schemas } from '../../../../lib/api-contract';
import { useErrorMessage, useLocale, useT } from '../../../../lib/i18n';
import { OWN_ERROR } from '../../../../lib/mutation-errors';
import { queryKeys } from '../../../../lib/query-keys';
import type { Conversation, InboxMessage } from '../../../../lib/queries-inbox';
import { formatDateTime } from './shared';

/**
 * WhatsApp's 24-hour customer service window in the reply box: once it has closed, free text is
 * refused, so the box says why and offers the approved templates with their variables instead.
 */
type ConversationTemplates = Schemas['ConversationTemplates'];
type Template = Schemas['WhatsAppTemplate'];

export function whatsappTemplatesQuery(orgId: string, conversationId: string) {
  return queryOptions({
    queryKey: [...queryKeys.conversations.detail(orgId, conversationId), 'whatsapp-templates'],
    queryFn: () => api<ConversationTemplates>(`/api/v1/conversations/${encodeURIComponent(conversationId)}/whatsapp-templates`, { orgId }),
    staleTime: 60_000,
    retry: false,
  });
}

/** The window of a WhatsApp conversation (undefined elsewhere or while loading). */
export function useWhatsAppWindow(orgId: string, conversation: Conversation) {
  const whatsapp = conversation.channel === 'whatsapp';
  // Re-read when the last message moves: a customer's answer reopens the window.
  const query = useQuery({ ...whatsappTemplatesQuery(orgId, conversation.id), enabled: whatsapp });
  return whatsapp ? query.data : undefined;
}

export function WindowClosedNotice({ orgId, conversation, data }: { orgId: string; conversation: Conversation; data: ConversationTemplates }) {
  const t = useT();
  const locale = useLocale();
  const [open, setOpen] = useState(false);
  return (
    <div className="rounded-xl bg-amber-50 p-3 ring-1 ring-amber-200 dark:bg-amber-950/30 dark:ring-amber-800" data-testid="window-closed">
      <p className="text-sm text-amber-900 dark:text-amber-100">
        {t('wa.windowClosed', { when: data.window.closesAt ? formatDateTime(data.window.closesAt, locale) : '' })}
      </p>
      <div className="mt-2 flex justify-end">
        <Button size="sm" onClick={() => setOpen(true)}>
          {t('wa.sendTemplate')}
        </Button>
      </div>
      {open && <TemplateDialog orgId={orgId} conversation={conversation} data={data} onClose={() => setOpen(false)} />}
    </div>
  );
}

const fill = (text: string, names: string[], values: string[]) =>
  text.replace(/\{\{\s*([A-Za-z0-9_]+)\s*\}\}/g, (whole, name: string) => {
    const i = names.indexOf(name);
    return i >= 0 && values[i] ? values[i] : whole;
  });

function TemplateDialog({ orgId, conversation, data, onClose }: { orgId: string; conversation: Conversation; data: ConversationTemplates; onClose: () => void }) {
  const t = useT();
  const toast = useToast();
  const errorMessage = useErrorMessage();
  const queryClient = useQueryClient();
  const usable = data.templates.filter((tpl) => tpl.supported);
  const [key, setKey] = useState(usable[0] ? `${usable[0].name}|${usable[0].language}` : '');
  const template: Template | undefined = usable.find((tpl) => `${tpl.name}|${tpl.language}` === key);
  const [header, setHeader] = useState<string[]>([]);
  const [body, setBody] = useState<string[]>([]);
  const preview = useMemo(() => {
    if (!template) return '';
    return [template.header ? fill(template.header, template.variables.header, header) : null, fill(template.body, template.variables.body, body), template.footer]
      .filter(Boolean)
      .join('\n\n');
  }, [template, header, body]);
  const complete = !!template && template.variables.header.every((_, i) => header[i]?.trim()) && template.variables.body.every((_, i) => body[i]?.trim());

  const send = useMutation({
    meta: OWN_ERROR,
    mutationFn: () =>
      api<InboxMessage>(`/api/v1/conversations/${encodeURIComponent(conversation.id)}/whatsapp-templates`, {
        method: 'POST',
        orgId,
        body: {
          name: template!.name,
          language: template!.language,
          variables: { header: template!.variables.header.map((_, i) => header[i].trim()), body: template!.variables.body.map((_, i) => body[i].trim()) },
        },
      }),
    onSuccess: () => {
      toast.success(t('wa.templates.sent'));
      void queryClient.invalidateQueries({ queryKey: queryKeys.conversations.all(orgId) });
      onClose();
    },
    onError: (e) => toast.error(t('wa.templates.failed', { message: errorMessage(e) })),
  });

  return (
    <Dialog open onClose={onClose} title={t('wa.templates.title')} description={t('wa.templates.description')} size="lg">
      <div className="space-y-3">
        {data.templatesUnavailable && <Alert tone="warning">{t('wa.templates.unavailable', { reason: data.templatesUnavailable })}</Alert>}
        {!data.templatesUnavailable && data.templates.length === 0 && <Alert>{t('wa.templates.none')}</Alert>}
        {data.templates.length > 0 && (
          <SelectField
            label={t('wa.templates.template')}
            value={key}
            onChange={(e) => {
              setKey(e.target.value);
              setHeader([]);
              setBody([]);
            }}
          >
            {data.templates.map((tpl) => (
              <option key={`${tpl.name}|${tpl.language}`} value={`${tpl.name}|${tpl.language}`} disabled={!tpl.supported}>
                {tpl.name} · {tpl.language} {tpl.supported ? '' : t('wa.templates.unsupported')}
              </option>
            ))}
          </SelectField>
        )}
        {template?.variables.header.map((name, i) => (
          <TextField
            key={`h${name}`}
            label={t('wa.templates.headerVariable', { name: `{{${name}}}` })}
            value={header[i] ?? ''}
            maxLength={1024}
            onChange={(e) => setHeader((v) => Object.assign([...v], { [i]: e.target.value }))}
          />
        ))}
        {template?.variables.body.map((name, i) => (
          <TextField
            key={`b${name}`}
            label={t('wa.templates.bodyVariable', { name: `{{${name}}}` })}
            value={body[i] ?? ''}
            maxLength={1024}
            onChange={(e) => setBody((v) => Object.assign([...v], { [i]: e.target.value }))}
          />
        ))}
        {template && (
          <div>
            <p className="mb-1 text-xs font-semibold text-zinc-500">{t('wa.templates.preview')}</p>
            <p className="rounded-lg bg-emerald-50 p-3 text-sm whitespace-pre-wrap text-zinc-900 ring-1 ring-emerald-200 dark:bg-emerald-950/40 dark:text-zinc-100 dark:ring-emerald-900" data-testid="template-preview">
              {preview}
            </p>
          </div>
        )}
        <div className="flex justify-end gap-2 pt-1">
          <Button variant="secondary" onClick={onClose}>
            {t('common.cancel')}
          </Button>
          <Button disabled={!complete} loading={send.isPending} onClick={() => send.mutate()}>
            {t('wa.templates.send')}
          </Button>
        </div>
      </div>
    </Dialog>
  );
}
