import { useQueryClient, useSuspenseQuery } from '@tanstack/react-query';
import { Link, useNavigate } from '@tanstack/react-router';
import { useEffect, useState } from 'react';
import { useToast } from '../../../../components/toast';
import { Alert, Button, ConfirmDialog, cx, DropdownMenu } from '../../../../components/ui';
import { useErrorMessage, useT } from '../../../../lib/i18n';
import { useLiveEvent, type MessageEventData } from '../../../../lib/live-events';
import { hasRole } from '../../../../lib/queries';
import {
  conversationQuery,
  downloadExport,
  EXPORT_FORMATS,
  markRead,
  useConversationActions,
  type Conversation,
} from '../../../../lib/queries-inbox';
import { useOrg, useProfile } from '../../../../lib/use-org';
import { ContactAvatar } from './contact-avatar';
import { DetailsPanel } from './details-panel';
import { ReplyBox } from './reply-box';
import { channelLabel, ChannelIcon, contactName, ConversationStatusBadge, Icon, ICONS, PriorityMarker } from './shared';
import { Thread } from './thread';

/** From this width the details panel sits beside the thread (open by default); below, it slides over it. */
const WIDE = '(min-width: 1760px)';

export function ConversationView({ id }: { id: string }) {
  const t = useT();
  const org = useOrg();
  const profile = useProfile();
  const queryClient = useQueryClient();
  const { data: conversation } = useSuspenseQuery(conversationQuery(org.id, id));
  const canWrite = hasRole(org.role, 'agent');
  const [wide, setWide] = useState(() => window.matchMedia(WIDE).matches);
  const [detailsOpen, setDetailsOpen] = useState(wide);
  useEffect(() => {
    const mq = window.matchMedia(WIDE);
    const onChange = () => {
      setWide(mq.matches);
      setDetailsOpen(mq.matches);
    };
    mq.addEventListener('change', onChange);
    return () => mq.removeEventListener('change', onChange);
  }, []);

  // Read markers: on open, whenever the count grows while it is open, and on coming back to the tab.
  const unread = conversation.unreadCount;
  useEffect(() => {
    if (canWrite && unread > 0 && !document.hidden) void markRead(queryClient, org.id, id);
  }, [canWrite, unread, queryClient, org.id, id]);
  useEffect(() => {
    if (!canWrite) return;
    const onVisible = () => {
      const current = queryClient.getQueryData<Conversation>(conversationQuery(org.id, id).queryKey);
      if (!document.hidden && current && current.unreadCount > 0) void markRead(queryClient, org.id, id);
    };
    document.addEventListener('visibilitychange', onVisible);
    return () => document.removeEventListener('visibilitychange', onVisible);
  }, [canWrite, queryClient, org.id, id]);
  useLiveEvent('message.created', (e) => {
    const data = e.data as unknown as MessageEventData;
    if (canWrite && data.conversationId === id && data.message?.role === 'user' && !document.hidden) void markRead(queryClient, org.id, id);
  });

  return (
    <div className="relative flex min-h-0 flex-1">
      <div className="flex min-h-0 min-w-0 flex-1 flex-col">
        <Header conversation={conversation} canWrite={canWrite} detailsOpen={detailsOpen} onToggleDetails={() => setDetailsOpen((o) => !o)} />
        <HandoffStrip conversation={conversation} canWrite={canWrite} myId={profile.id} />
        <Thread conversation={conversation} />
        {canWrite ? (
          <ReplyBox conversation={conversation} />
        ) : (
          <div className="border-t border-zinc-200 p-4 dark:border-zinc-800">
            <Alert>{t('conv.readOnly', { role: t(`role.${org.role}`) })}</Alert>
          </div>
        )}
      </div>
      {detailsOpen && (
        <>
          {!wide && <div className="absolute inset-0 z-10 bg-zinc-950/20 dark:bg-black/40" aria-hidden="true" onClick={() => setDetailsOpen(false)} />}
          <aside
            aria-label={t('conv.details')}
            onKeyDown={(e) => {
              if (e.key === 'Escape' && !wide) setDetailsOpen(false);
            }}
            className={cx(
              'flex min-h-0 w-80 max-w-[90%] shrink-0 flex-col border-l border-zinc-200 bg-white dark:border-zinc-800 dark:bg-zinc-950',
              !wide && 'absolute inset-y-0 right-0 z-20 shadow-xl',
            )}
          >
            <DetailsPanel conversation={conversation} canWrite={canWrite} onClose={wide ? undefined : () => setDetailsOpen(false)} />
          </aside>
        </>
      )}
    </div>
  );
}

function Header({
  conversation: c,
  canWrite,
  detailsOpen,
  onToggleDetails,
}: {
  conversation: Conversation;
  canWrite: boolean;
  detailsOpen: boolean;
  onToggleDetails: () => void;
}) {
  const t = useT();
  const org = useOrg();
  const toast = useToast();
  const errorMessage = useErrorMessage();
  const navigate = useNavigate();
  const { update, remove } = useConversationActions(org.id, c.id);
  const [deleting, setDeleting] = useState(false);
  const name = contactName(c, t);
  const done = c.status === 'resolved' || c.status === 'closed';
  const setStatus = (status: Conversation['status'], message?: string) =>
    update.mutate({ status }, { onSuccess: () => message && toast.success(message) });

  return (
    <header className="flex items-start gap-3 border-b border-zinc-200 px-4 py-3 sm:px-5 dark:border-zinc-800">
      <Link
        to="/conversations"
        search={true}
        className="-ml-1 mt-2 rounded-md p-1 text-zinc-500 hover:bg-zinc-100 hover:text-zinc-900 md:hidden dark:hover:bg-zinc-800 dark:hover:text-zinc-100"
        aria-label={t('inbox.back')}
      >
        <Icon d={ICONS.back} className="size-5" />
      </Link>
      <ContactAvatar orgId={org.id} contact={c.contact} name={name} size="lg" className="hidden sm:flex" />
      <div className="min-w-0 flex-1">
        <div className="flex flex-wrap items-center gap-x-2 gap-y-1">
          <h2 className="truncate text-base font-semibold">{name}</h2>
          <ConversationStatusBadge status={c.status} />
          <PriorityMarker priority={c.priority} withLabel />
        </div>
        <p className="mt-0.5 flex flex-wrap items-center gap-x-2 text-xs text-zinc-500 dark:text-zinc-400">
          <span className="inline-flex items-center gap-1">
            <ChannelIcon channel={c.channel} /> {channelLabel(c.channel, t)}
          </span>
          {c.bot && (
            <>
              <span aria-hidden="true">·</span>
              <span className="inline-flex items-center gap-1">
                <Icon d={ICONS.bot} className="size-3.5" /> {c.bot.name}
              </span>
            </>
          )}
          {c.assignee && (
            <span className="hidden sm:inline">
              <span aria-hidden="true">· </span>
              {t('inbox.assignedTo', { name: c.assignee.name })}
            </span>
          )}
        </p>
      </div>
      <div className="flex shrink-0 items-center gap-1.5">
        {canWrite &&
          (done ? (
            <Button variant="secondary" size="sm" loading={update.isPending && update.variables?.status === 'open'} onClick={() => setStatus('open', t('conv.reopened'))}>
              {t('conv.reopen')}
            </Button>
          ) : (
            <Button size="sm" loading={update.isPending && update.variables?.status === 'resolved'} onClick={() => setStatus('resolved', t('conv.resolved'))}>
              <Icon d={ICONS.check} className="size-4" />
              {t('conv.resolve')}
            </Button>
          ))}
        <Button
          variant="ghost"
          size="sm"
          aria-pressed={detailsOpen}
          aria-label={detailsOpen ? t('conv.hideDetails') : t('conv.showDetails')}
          title={detailsOpen ? t('conv.hideDetails') : t('conv.showDetails')}
          onClick={onToggleDetails}
        >
          <Icon d={ICONS.panel} className="size-4" />
        </Button>
        <DropdownMenu
          label={t('conv.moreActions')}
          items={[
            { label: t('conv.markPending'), onSelect: () => setStatus('pending'), hidden: !canWrite || c.status === 'pending' },
            { label: t('conv.close'), onSelect: () => setStatus('closed'), hidden: !canWrite || c.status === 'closed' },
            ...EXPORT_FORMATS.map((format) => ({
              label: t('conv.exportAs', { format: format.toUpperCase() }),
              onSelect: () => {
                downloadExport(org.id, c.id, format).catch((e) => toast.error(t('conv.exportFailed', { message: errorMessage(e) })));
              },
            })),
            { label: t('conv.delete'), onSelect: () => setDeleting(true), danger: true, hidden: !hasRole(org.role, 'admin') },
          ]}
        />
      </div>
      <ConfirmDialog
        open={deleting}
        onClose={() => setDeleting(false)}
        title={t('conv.deleteTitle')}
        description={t('conv.deleteDesc', { name })}
        confirmLabel={t('conv.deleteConfirm')}
        pending={remove.isPending}
        onConfirm={() =>
          remove.mutate(undefined, {
            onSuccess: () => {
              setDeleting(false);
              toast.success(t('conv.deleted'));
              void navigate({ to: '/conversations', search: true });
            },
          })
        }
      />
    </header>
  );
}

/** Who answers the visitor right now, and the one button that changes it. */
function HandoffStrip({ conversation: c, canWrite, myId }: { conversation: Conversation; canWrite: boolean; myId: string }) {
  const t = useT();
  const org = useOrg();
  const toast = useToast();
  const { takeover, handback } = useConversationActions(org.id, c.id);
  const reason = c.handoffReason && ['visitor_request', 'low_confidence', 'agent', 'plan_limit'].includes(c.handoffReason)
    ? t(`inbox.reason.${c.handoffReason as 'visitor_request' | 'low_confidence' | 'agent' | 'plan_limit'}`)
    : null;
  const take = () =>
    takeover.mutate(undefined, { onSuccess: () => toast.success(t('conv.tookOver')) });

  if (c.handoff === 'human') {
    const who = c.assigneeId === myId ? t('conv.answering.you') : c.assignee ? t('conv.answering.agent', { name: c.assignee.name }) : t('conv.answering.someone');
    return (
      <div className="flex flex-wrap items-center gap-x-3 gap-y-2 border-b border-emerald-200 bg-emerald-50 px-4 py-2 text-sm sm:px-5 dark:border-emerald-900/60 dark:bg-emerald-950/30">
        <Icon d={ICONS.user} className="size-4 text-emerald-600 dark:text-emerald-400" />
        <p className="min-w-0 flex-1 text-emerald-900 dark:text-emerald-200">
          <span className="font-medium" data-testid="answering">{who}</span>
          <span className="hidden text-emerald-700 sm:inline dark:text-emerald-300/80"> · {t('conv.answering.humanHint')}</span>
        </p>
        {canWrite && (
          <Button
            variant="secondary"
            size="sm"
            loading={handback.isPending}
            onClick={() => handback.mutate(undefined, { onSuccess: () => toast.success(t('conv.handedBack')) })}
          >
            <Icon d={ICONS.bot} className="size-4" /> {t('conv.handBack')}
          </Button>
        )}
      </div>
    );
  }
  if (c.handoff === 'requested') {
    return (
      <div className="flex flex-wrap items-center gap-x-3 gap-y-2 border-b border-amber-200 bg-amber-50 px-4 py-2 text-sm sm:px-5 dark:border-amber-900/60 dark:bg-amber-950/30">
        <Icon d={ICONS.hand} className="size-4 text-amber-600 dark:text-amber-400" />
        <p className="min-w-0 flex-1 text-amber-900 dark:text-amber-200">
          <span className="font-medium" data-testid="answering">{t('conv.answering.requested')}</span>
          {reason && <span className="text-amber-800 dark:text-amber-300/80"> · {reason}</span>}
        </p>
        {canWrite && (
          <Button size="sm" loading={takeover.isPending} onClick={take}>
            <Icon d={ICONS.user} className="size-4" /> {t('conv.takeOver')}
          </Button>
        )}
      </div>
    );
  }
  return (
    <div className="flex flex-wrap items-center gap-x-3 gap-y-2 border-b border-zinc-200 bg-zinc-50 px-4 py-2 text-sm sm:px-5 dark:border-zinc-800 dark:bg-zinc-900/60">
      <Icon d={ICONS.bot} className="size-4 text-indigo-600 dark:text-indigo-400" />
      <p className="min-w-0 flex-1 text-zinc-700 dark:text-zinc-300">
        <span className="font-medium" data-testid="answering">{t('conv.answering.bot', { bot: c.bot?.name ?? t('thread.bot') })}</span>
        <span className="hidden text-zinc-500 lg:inline"> · {t('conv.answering.botHint')}</span>
      </p>
      {canWrite && (
        <Button variant="secondary" size="sm" loading={takeover.isPending} onClick={take}>
          <Icon d={ICONS.user} className="size-4" /> {t('conv.takeOver')}
        </Button>
      )}
    </div>
  );
}
