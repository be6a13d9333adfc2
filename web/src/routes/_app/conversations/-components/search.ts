/** The inbox's URL state: folder, status and filters, typed and validated (bad values drop out). */
import {
  CHANNELS,
  CONVERSATION_STATUSES,
  HANDOFF_STATES,
  PRIORITIES,
  type Channel,
  type ConversationFilters,
  type ConversationStatus,
  type Handoff,
  type Priority,
} from '../../../../lib/queries-inbox';

export const FOLDERS = ['all', 'mine', 'unassigned'] as const;
export type Folder = (typeof FOLDERS)[number];

export interface InboxSearch {
  /** Absent: all. */
  folder?: Exclude<Folder, 'all'>;
  /** Absent: open. */
  status?: ConversationStatus | 'all';
  channel?: Channel;
  bot?: string;
  priority?: Priority;
  tag?: string;
  handoff?: Handoff;
  unread?: true;
  q?: string;
}

const oneOf = <T extends string>(list: readonly T[], value: unknown): T | undefined =>
  typeof value === 'string' && (list as readonly string[]).includes(value) ? (value as T) : undefined;

const text = (value: unknown, max: number) => {
  if (typeof value !== 'string' && typeof value !== 'number') return undefined;
  const s = String(value).trim().slice(0, max);
  return s || undefined;
};

export function validateInboxSearch(search: Record<string, unknown>): InboxSearch {
  const folder = oneOf(FOLDERS, search.folder);
  const status = oneOf([...CONVERSATION_STATUSES, 'all'] as const, search.status);
  const bot = typeof search.bot === 'string' && /^[0-9a-f-]{36}$/i.test(search.bot) ? search.bot : undefined;
  return {
    folder: folder === 'all' ? undefined : folder,
    status: status === 'open' ? undefined : status,
    channel: oneOf(CHANNELS, search.channel),
    bot,
    priority: oneOf(PRIORITIES, search.priority),
    tag: text(search.tag, 50)?.toLowerCase(),
    handoff: oneOf(HANDOFF_STATES, search.handoff),
    unread: search.unread === true || search.unread === 'true' ? true : undefined,
    q: text(search.q, 200),
  };
}

export function toFilters(search: InboxSearch): ConversationFilters {
  const status = search.status ?? 'open';
  return {
    status: status === 'all' ? undefined : status,
    assignee: search.folder === 'mine' ? 'me' : search.folder === 'unassigned' ? 'unassigned' : undefined,
    channel: search.channel,
    botId: search.bot,
    priority: search.priority,
    tag: search.tag,
    handoff: search.handoff,
    unread: search.unread,
    q: search.q,
  };
}

/** Filters beyond folder, status and search (what the "Filters" button counts). */
export function extraFilterCount(search: InboxSearch) {
  return [search.channel, search.bot, search.priority, search.tag, search.handoff, search.unread].filter((v) => v !== undefined).length;
}

export function hasAnyFilter(search: InboxSearch) {
  return extraFilterCount(search) > 0 || !!search.folder || !!search.q || (search.status !== undefined && search.status !== 'all');
}
