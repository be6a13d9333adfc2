import { useQuery } from '@tanstack/react-query';
import { Link } from '@tanstack/react-router';
import { useId, useState, type ReactNode } from 'react';
import { Button, cx } from '../../../../components/ui';
import { useLocale, useT } from '../../../../lib/i18n';
import { hasRole, membersQuery } from '../../../../lib/queries';
import { CONVERSATION_STATUSES, PRIORITIES, useConversationActions, type Conversation } from '../../../../lib/queries-inbox';
import { useOrg, useProfile } from '../../../../lib/use-org';
import { ContactAvatar } from './contact-avatar';
import { ContactMergeButton } from './contact-merge';
import { ContactPrivacyActions } from './contact-privacy';
import { channelLabel, contactName, formatDateTime, Icon, ICONS } from './shared';

const selectClass =
  'block w-full rounded-lg border-0 bg-white py-1.5 pr-8 pl-2.5 text-sm text-zinc-900 ring-1 ring-zinc-300 ring-inset focus:ring-2 focus:ring-indigo-600 disabled:opacity-60 dark:bg-zinc-900 dark:text-zinc-100 dark:ring-zinc-700';

function Section({ title, children }: { title: string; children: ReactNode }) {
  return (
    <section className="border-b border-zinc-100 px-4 py-4 dark:border-zinc-800/70">
      <h3 className="mb-3 text-xs font-semibold tracking-wide text-zinc-500 uppercase dark:text-zinc-400">{title}</h3>
      {children}
    </section>
  );
}

function Field({ label, children }: { label: string; children: (id: string) => ReactNode }) {
  const id = useId();
  return (
    <div>
      <label htmlFor={id} className="mb-1 block text-xs font-medium text-zinc-600 dark:text-zinc-400">
        {label}
      </label>
      {children(id)}
    </div>
  );
}

function Row({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="grid grid-cols-[7rem_1fr] gap-2 py-1 text-sm">
      <dt className="text-zinc-500 dark:text-zinc-400">{label}</dt>
      <dd className="min-w-0 break-words text-zinc-800 dark:text-zinc-200">{children}</dd>
    </div>
  );
}

export function DetailsPanel({ conversation: c, canWrite, onClose }: { conversation: Conversation; canWrite: boolean; onClose?: () => void }) {
  const t = useT();
  const locale = useLocale();
  const org = useOrg();
  const profile = useProfile();
  const members = useQuery(membersQuery(org.id));
  const { update, assign } = useConversationActions(org.id, c.id);
  const name = contactName(c, t);
  const attributes = Object.entries(c.contact.attributes ?? {}).filter(([, v]) => v !== null && v !== undefined && v !== '');
  const hasContact = !!(c.contact.name || c.contact.email || c.contact.phone || attributes.length);

  return (
    <div className="flex min-h-0 flex-1 flex-col">
      <div className="flex items-center justify-between border-b border-zinc-200 px-4 py-3 dark:border-zinc-800">
        <h2 className="text-sm font-semibold">{t('conv.details')}</h2>
        {onClose && (
          <Button variant="ghost" size="sm" onClick={onClose} aria-label={t('conv.hideDetails')} autoFocus>
            <Icon d={ICONS.x} className="size-4" />
          </Button>
        )}
      </div>
      <div className="min-h-0 flex-1 overflow-y-auto">
        <Section title={t('details.conversation')}>
          <div className="space-y-3">
            <Field label={t('details.status')}>
              {(id) => (
                <select
                  id={id}
                  value={c.status}
                  disabled={!canWrite}
                  onChange={(e) => update.mutate({ status: e.target.value as Conversation['status'] })}
                  className={selectClass}
                >
                  {CONVERSATION_STATUSES.map((s) => (
                    <option key={s} value={s}>
                      {t(`inbox.status.${s}`)}
                    </option>
                  ))}
                </select>
              )}
            </Field>
            <Field label={t('details.assignee')}>
              {(id) => (
                <select
                  id={id}
                  value={c.assigneeId ?? ''}
                  disabled={!canWrite || assign.isPending}
                  onChange={(e) => assign.mutate(e.target.value || null)}
                  className={selectClass}
                >
                  <option value="">{t('details.unassigned')}</option>
                  {c.assignee && !members.data?.some((m) => m.userId === c.assignee!.id) && <option value={c.assignee.id}>{c.assignee.name}</option>}
                  {(members.data ?? [])
                    .filter((m) => m.role !== 'viewer' || m.userId === c.assigneeId)
                    .map((m) => (
                      <option key={m.userId} value={m.userId}>
                        {m.userId === profile.id ? t('details.me', { name: m.name }) : m.name}
                      </option>
                    ))}
                </select>
              )}
            </Field>
            <Field label={t('details.priority')}>
              {(id) => (
                <select
                  id={id}
                  value={c.priority}
                  disabled={!canWrite}
                  onChange={(e) => update.mutate({ priority: e.target.value as Conversation['priority'] })}
                  className={selectClass}
                >
                  {PRIORITIES.map((p) => (
                    <option key={p} value={p}>
                      {t(`inbox.priority.${p}`)}
                    </option>
                  ))}
                </select>
              )}
            </Field>
            <TagsEditor tags={c.tags} disabled={!canWrite} onChange={(tags) => update.mutate({ tags })} />
          </div>
        </Section>

        <Section title={t('details.contact')}>
          <div className="mb-3 flex items-center gap-3">
            <ContactAvatar orgId={org.id} contact={c.contact} name={name} />
            <p className="min-w-0 truncate text-sm font-medium">{name}</p>
          </div>
          {hasContact ? (
            <dl>
              {c.contact.email && (
                <Row label={t('details.email')}>
                  <a href={`mailto:${c.contact.email}`} className="text-indigo-600 hover:underline dark:text-indigo-400">
                    {c.contact.email}
                  </a>
                </Row>
              )}
              {c.contact.phone && (
                <Row label={t('details.phone')}>
                  <a href={`tel:${c.contact.phone}`} className="text-indigo-600 hover:underline dark:text-indigo-400">
                    {c.contact.phone}
                  </a>
                </Row>
              )}
              {attributes.map(([key, value]) => (
                <Row key={key} label={key}>
                  {typeof value === 'object' ? JSON.stringify(value) : String(value)}
                </Row>
              ))}
            </dl>
          ) : (
            <p className="text-sm text-zinc-500">{t('details.noContactInfo')}</p>
          )}
          {canWrite && (
            <div className="mt-3">
              <ContactMergeButton orgId={org.id} contact={c.contact} name={name} />
            </div>
          )}
          {hasRole(org.role, 'admin') && <ContactPrivacyActions orgId={org.id} contactId={c.contact.id} name={c.contact.name} />}
        </Section>

        <Section title={t('details.rating')}>
          {c.rating ? (
            <div>
              <p className="flex items-center gap-1" role="img" aria-label={t('details.ratingValue', { rating: c.rating })}>
                {[1, 2, 3, 4, 5].map((n) => (
                  <svg key={n} viewBox="0 0 24 24" className={cx('size-5', n <= c.rating! ? 'fill-amber-400 text-amber-400' : 'fill-none text-zinc-300 dark:text-zinc-600')} stroke="currentColor" strokeWidth="1.5" aria-hidden="true">
                    <path strokeLinejoin="round" d={ICONS.star} />
                  </svg>
                ))}
                <span className="ml-1 text-sm text-zinc-600 dark:text-zinc-400">{t('details.ratingValue', { rating: c.rating })}</span>
              </p>
              {c.feedback && (
                <blockquote className="mt-2 rounded-lg bg-zinc-50 px-3 py-2 text-sm text-zinc-700 italic dark:bg-zinc-900 dark:text-zinc-300">“{c.feedback}”</blockquote>
              )}
            </div>
          ) : (
            <p className="text-sm text-zinc-500">{t('details.noRating')}</p>
          )}
        </Section>

        <Section title={t('details.info')}>
          <dl>
            <Row label={t('details.bot')}>
              {c.bot ? (
                <Link to="/chatbots/$botId" params={{ botId: c.bot.id }} className="text-indigo-600 hover:underline dark:text-indigo-400">
                  {c.bot.name}
                </Link>
              ) : (
                '—'
              )}
            </Row>
            <Row label={t('details.channel')}>{channelLabel(c.channel, t)}</Row>
            <Row label={t('details.messages')}>{c.messageCount}</Row>
            <Row label={t('details.started')}>{formatDateTime(c.createdAt, locale)}</Row>
            <Row label={t('details.lastActivity')}>{formatDateTime(c.lastMessageAt, locale)}</Row>
            {c.firstResponseAt && <Row label={t('details.firstResponse')}>{formatDateTime(c.firstResponseAt, locale)}</Row>}
            {c.handedOffAt && <Row label={t('details.handedOff')}>{formatDateTime(c.handedOffAt, locale)}</Row>}
            {c.resolvedAt && <Row label={t('details.resolvedAt')}>{formatDateTime(c.resolvedAt, locale)}</Row>}
            {c.contact.externalId && (
              <Row label={t('details.externalId')}>
                <span className="font-mono text-xs">{c.contact.externalId}</span>
              </Row>
            )}
          </dl>
        </Section>
      </div>
    </div>
  );
}

function TagsEditor({ tags, disabled, onChange }: { tags: string[]; disabled: boolean; onChange: (tags: string[]) => void }) {
  const t = useT();
  const id = useId();
  const [text, setText] = useState('');
  const add = () => {
    const tag = text.trim().replace(/^#/, '').toLowerCase().slice(0, 50);
    setText('');
    if (!tag || tags.includes(tag) || tags.length >= 20) return;
    onChange([...tags, tag]);
  };
  return (
    <div>
      <label htmlFor={id} className="mb-1 block text-xs font-medium text-zinc-600 dark:text-zinc-400">
        {t('details.tags')}
      </label>
      <div className="flex flex-wrap items-center gap-1.5 rounded-lg bg-white px-2 py-1.5 ring-1 ring-zinc-300 ring-inset focus-within:ring-2 focus-within:ring-indigo-600 dark:bg-zinc-900 dark:ring-zinc-700">
        {tags.map((tag) => (
          <span key={tag} className="inline-flex items-center gap-1 rounded-md bg-indigo-50 py-0.5 pr-1 pl-2 text-xs font-medium text-indigo-700 dark:bg-indigo-950 dark:text-indigo-300">
            #{tag}
            {!disabled && (
              <button
                type="button"
                onClick={() => onChange(tags.filter((x) => x !== tag))}
                aria-label={t('details.removeTag', { tag })}
                className="rounded p-0.5 hover:bg-indigo-100 dark:hover:bg-indigo-900"
              >
                <Icon d={ICONS.x} className="size-3" />
              </button>
            )}
          </span>
        ))}
        {disabled ? (
          tags.length === 0 && <span className="text-sm text-zinc-400">{t('details.noTags')}</span>
        ) : (
          <input
            id={id}
            value={text}
            onChange={(e) => setText(e.target.value.replace(',', ''))}
            onKeyDown={(e) => {
              if (e.key === 'Enter' || e.key === ',') {
                e.preventDefault();
                add();
              } else if (e.key === 'Backspace' && !text && tags.length) {
                onChange(tags.slice(0, -1));
              }
            }}
            onBlur={() => text.trim() && add()}
            placeholder={tags.length ? '' : t('details.addTagPlaceholder')}
            aria-label={t('details.addTag')}
            maxLength={50}
            className="min-w-24 flex-1 border-0 bg-transparent p-0.5 text-sm focus:ring-0 focus:outline-none"
          />
        )}
      </div>
    </div>
  );
}
