import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { useToast } from '../../../../components/toast';
import { cx } from '../../../../components/ui';
import { ApiError, getAccessToken, refreshAccessToken, uploadFile } from '../../../../lib/api';
import { useErrorMessage, useT } from '../../../../lib/i18n';
import { appendMessage, inboxApi, invalidateInboxLists, type Conversation, type InboxMessage } from '../../../../lib/queries-inbox';
import { useOrg } from '../../../../lib/use-org';
import { Icon, ICONS } from './shared';

/**
 * Files on messages (images, audio, video, documents, stickers) and the agent's "send a file".
 * The bytes need the bearer token, so they are fetched and shown from an object URL rather than
 * linked; the server never serves them as a page (nosniff, downloads for anything not media).
 */
type Attachment = NonNullable<InboxMessage['metadata']['attachments']>[number];

const attachmentPath = (conversationId: string, messageId: string, index: number) => `${inboxApi.conversation(conversationId)}/messages/${messageId}/attachments/${index}`;

async function fetchFile(path: string, orgId: string): Promise<Blob> {
  const send = () =>
    fetch(path, { headers: { ...(getAccessToken() ? { Authorization: `Bearer ${getAccessToken()}` } : {}), 'X-Organization-Id': orgId }, credentials: 'same-origin' });
  let res = await send();
  if (res.status === 401 && (await refreshAccessToken())) res = await send();
  if (!res.ok) throw new ApiError({ status: res.status, code: `http_${res.status}`, message: res.statusText });
  return res.blob();
}

/** An object URL for a stored file, revoked when the component goes. */
function useFileUrl(conversationId: string, messageId: string, index: number, enabled: boolean) {
  const org = useOrg();
  const file = useQuery({
    queryKey: ['attachment', org.id, messageId, index],
    queryFn: () => fetchFile(attachmentPath(conversationId, messageId, index), org.id),
    enabled,
    staleTime: Infinity,
    gcTime: 5 * 60_000,
  });
  const [url, setUrl] = useState<string | null>(null);
  useEffect(() => {
    if (!file.data) return;
    const made = URL.createObjectURL(file.data);
    setUrl(made);
    return () => URL.revokeObjectURL(made);
  }, [file.data]);
  return { url, error: file.isError };
}

function sizeLabel(bytes: number | null) {
  if (bytes === null) return '';
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

/** What a voice note said (when the organization transcribes audio), or why it could not be transcribed. */
function Transcript({ attachment }: { attachment: Attachment }) {
  const t = useT();
  if (attachment.transcriptStatus === 'done' && attachment.transcript) {
    return (
      <figcaption className="text-sm italic opacity-90" data-transcript="done">
        <span className="sr-only">{t('media.transcript')}: </span>“{attachment.transcript}”
      </figcaption>
    );
  }
  if (attachment.transcriptStatus === 'failed' || attachment.transcriptStatus === 'too_large') {
    return (
      <figcaption className="text-xs text-red-700 dark:text-red-300" data-transcript={attachment.transcriptStatus} title={attachment.transcriptError ?? undefined}>
        {t(attachment.transcriptStatus === 'too_large' ? 'media.transcriptTooLarge' : 'media.transcriptFailed')}
      </figcaption>
    );
  }
  return null;
}

function AttachmentItem({ conversationId, messageId, index, attachment }: { conversationId: string; messageId: string; index: number; attachment: Attachment }) {
  const t = useT();
  const org = useOrg();
  const name = attachment.filename ?? t(`media.${attachment.kind}`);
  const media = attachment.kind === 'image' || attachment.kind === 'sticker' || attachment.kind === 'audio' || attachment.kind === 'video';
  const { url, error } = useFileUrl(conversationId, messageId, index, attachment.status === 'stored' && media);
  if (attachment.status !== 'stored') {
    const key = attachment.status === 'pending' ? 'media.pending' : attachment.status === 'too_large' ? 'media.tooLarge' : 'media.failed';
    return (
      <p
        className={cx('flex items-center gap-2 rounded-lg px-2.5 py-1.5 text-xs', attachment.status === 'pending' ? 'bg-zinc-100 text-zinc-600 dark:bg-zinc-800 dark:text-zinc-300' : 'bg-red-50 text-red-700 dark:bg-red-950/50 dark:text-red-300')}
        data-attachment-status={attachment.status}
        title={attachment.error ?? undefined}
      >
        <Icon d={ICONS.paperclip} className="size-3.5 shrink-0" />
        <span>{t(key, { name })}</span>
      </p>
    );
  }
  const download = async () => {
    const blob = await fetchFile(`${attachmentPath(conversationId, messageId, index)}?download=1`, org.id);
    const href = URL.createObjectURL(blob);
    const a = document.createElement('a');
    a.href = href;
    a.download = name;
    a.click();
    setTimeout(() => URL.revokeObjectURL(href), 1000);
  };
  if (error) return <p className="text-xs text-red-600">{t('media.loadFailed')}</p>;
  if ((attachment.kind === 'image' || attachment.kind === 'sticker') && url) {
    return <img src={url} alt={name} className={cx('max-h-72 rounded-lg object-contain', attachment.kind === 'sticker' ? 'max-w-32' : 'max-w-full')} data-attachment-status="stored" />;
  }
  if (attachment.kind === 'audio' && url) {
    return (
      <figure className="flex flex-col gap-1">
        <audio controls src={url} className="max-w-full" aria-label={name} data-attachment-status="stored" />
        <Transcript attachment={attachment} />
      </figure>
    );
  }
  if (attachment.kind === 'video' && url) return <video controls src={url} className="max-h-72 max-w-full rounded-lg" aria-label={name} data-attachment-status="stored" />;
  return (
    <button
      type="button"
      onClick={() => void download()}
      className="flex items-center gap-2 rounded-lg bg-black/5 px-2.5 py-1.5 text-left text-xs font-medium underline-offset-2 hover:underline dark:bg-white/10"
      aria-label={t('media.download', { name })}
      data-attachment-status="stored"
    >
      <Icon d={ICONS.paperclip} className="size-3.5 shrink-0" />
      <span className="truncate">{name}</span>
      <span className="shrink-0 opacity-70">{sizeLabel(attachment.size)}</span>
    </button>
  );
}

/** The files a message carries, above its text. */
export function MessageAttachments({ conversationId, message }: { conversationId: string; message: InboxMessage }) {
  const attachments = message.metadata?.attachments ?? [];
  if (attachments.length === 0) return null;
  return (
    <div className="mb-1 flex flex-col gap-1.5">
      {attachments.map((attachment, index) => (
        <AttachmentItem key={index} conversationId={conversationId} messageId={message.id} index={index} attachment={attachment} />
      ))}
    </div>
  );
}

/** The text a message shows under its files: the placeholder a platform sent for a bare file says nothing the file does not. */
export function hasOnlyPlaceholder(message: InboxMessage) {
  return (message.metadata?.attachments?.length ?? 0) > 0 && /^\[(image|audio|video|document|sticker)(: [^\]]*)?( ×\d+)?\]$/.test(message.content.trim());
}

/** Channels with nobody to hand a file to (the server refuses them: core/channels/media-outgoing.ts). */
const FILELESS_CHANNELS = new Set(['api', 'playground']);

export function canSendFiles(conversation: Conversation) {
  return !FILELESS_CHANNELS.has(conversation.channel);
}

/** The paperclip of the reply box: picks a file and sends it as the agent. */
export function AttachFileButton({ conversation }: { conversation: Conversation }) {
  const t = useT();
  const org = useOrg();
  const toast = useToast();
  const errorMessage = useErrorMessage();
  const queryClient = useQueryClient();
  const input = useRef<HTMLInputElement>(null);
  const [sending, setSending] = useState<string | null>(null);

  const send = async (file: File) => {
    setSending(file.name);
    try {
      const message = await uploadFile<InboxMessage>(`${inboxApi.conversation(conversation.id)}/attachments`, file, { orgId: org.id });
      appendMessage(queryClient, org.id, conversation.id, message);
      invalidateInboxLists(queryClient, org.id);
    } catch (error) {
      toast.error(t('media.sendFailed', { message: errorMessage(error) }));
    } finally {
      setSending(null);
      if (input.current) input.current.value = '';
    }
  };

  return (
    <>
      <input
        ref={input}
        type="file"
        className="sr-only"
        aria-label={t('media.attach')}
        // The paperclip button below is the control people reach; the picker it opens is not a second one.
        aria-hidden="true"
        tabIndex={-1}
        onChange={(e) => {
          const file = e.target.files?.[0];
          if (file) void send(file);
        }}
      />
      <button
        type="button"
        onClick={() => input.current?.click()}
        disabled={sending !== null}
        title={sending ? t('media.sending', { name: sending }) : t('media.attach')}
        className="rounded-md p-1.5 text-zinc-500 hover:bg-zinc-100 hover:text-zinc-700 disabled:opacity-50 dark:hover:bg-zinc-800"
      >
        <Icon d={ICONS.paperclip} className="size-4" />
        <span className="sr-only">{sending ? t('media.sending', { name: sending }) : t('media.attach')}</span>
      </button>
    </>
  );
}
