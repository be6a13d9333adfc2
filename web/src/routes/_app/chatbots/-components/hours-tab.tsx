import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link } from '@tanstack/react-router';
import { useState } from 'react';
import { useToast } from '../../../../components/toast';
import { Alert, Button, Card, ErrorState, PageLoader } from '../../../../components/ui';
import { OWN_ERROR } from '../../../../lib/mutation-errors';
import { api } from '../../../../lib/api';
import { useErrorMessage, useLocale, useT } from '../../../../lib/i18n';
import { chatbotApi, hasRole, schedulesQuery, type Bot, type Schedule } from '../../../../lib/queries';
import { useOrg } from '../../../../lib/use-org';
import { SaveBar, UnsavedChangesGuard } from './shared';
import { queryKeys } from '../../../../lib/query-keys';

/** Monday first, as people read a week; the API counts 0 = Sunday. */
const WEEK = [1, 2, 3, 4, 5, 6, 0];

interface Row {
  uid: number;
  id?: string;
  weekday: number;
  opensAt: string;
  closesAt: string;
}
let uidSeq = 1;
const hhmm = (v: string) => v.slice(0, 5);

function weekdayName(weekday: number, locale: string) {
  // 2024-01-07 was a Sunday.
  return new Intl.DateTimeFormat(locale, { weekday: 'long', timeZone: 'UTC' }).format(new Date(Date.UTC(2024, 0, 7 + weekday)));
}

export function HoursTab({ bot, canWrite }: { bot: Bot; canWrite: boolean }) {
  const org = useOrg();
  const errorMessage = useErrorMessage();
  const schedules = useQuery(schedulesQuery(org.id, bot.id));
  if (schedules.isPending) return <PageLoader />;
  if (schedules.isError) return <ErrorState message={errorMessage(schedules.error)} onRetry={() => void schedules.refetch()} />;
  return <HoursForm key={JSON.stringify(schedules.data.data)} bot={bot} saved={schedules.data.data} timezone={schedules.data.timezone} canWrite={canWrite} />;
}

function HoursForm({ bot, saved, timezone, canWrite }: { bot: Bot; saved: Schedule[]; timezone: string; canWrite: boolean }) {
  const t = useT();
  const locale = useLocale();
  const toast = useToast();
  const errorMessage = useErrorMessage();
  const queryClient = useQueryClient();
  const org = useOrg();
  const [initial] = useState<Row[]>(() =>
    saved.map((s) => ({ uid: uidSeq++, id: s.id, weekday: s.weekday, opensAt: hhmm(s.opensAt), closesAt: hhmm(s.closesAt) })),
  );
  const [rows, setRows] = useState(initial);
  const [answerOutsideHours, setAnswerOutsideHours] = useState(bot.answerOutsideHours);
  const modeChanged = answerOutsideHours !== bot.answerOutsideHours;
  const invalid = rows.filter((r) => !r.opensAt || !r.closesAt || r.opensAt === r.closesAt);

  const removed = initial.filter((i) => !rows.some((r) => r.id === i.id));
  const added = rows.filter((r) => !r.id);
  const edited = rows.filter((r) => {
    const before = r.id && initial.find((i) => i.id === r.id);
    return before && (before.opensAt !== r.opensAt || before.closesAt !== r.closesAt);
  });
  const dirty = removed.length + added.length + edited.length > 0 || modeChanged;

  const save = useMutation({
    meta: OWN_ERROR,
    // One request per change: the API models each interval as its own resource.
    mutationFn: async () => {
      if (modeChanged) {
        const updated = await api<Bot>(chatbotApi.bot(bot.id), { method: 'PUT', body: { answerOutsideHours }, orgId: org.id });
        queryClient.setQueryData(queryKeys.chatbots.detail(org.id, bot.id), updated);
        await queryClient.invalidateQueries({ queryKey: queryKeys.chatbots.all(org.id) });
      }
      for (const r of removed) await api(chatbotApi.schedule(bot.id, r.id!), { method: 'DELETE', orgId: org.id });
      for (const r of edited)
        await api(chatbotApi.schedule(bot.id, r.id!), { method: 'PUT', body: { weekday: r.weekday, opensAt: r.opensAt, closesAt: r.closesAt }, orgId: org.id });
      for (const r of added)
        await api(chatbotApi.schedules(bot.id), { method: 'POST', body: { weekday: r.weekday, opensAt: r.opensAt, closesAt: r.closesAt }, orgId: org.id });
    },
    onSuccess: () => toast.success(t('bots.hours.saved')),
    // Partial success is possible; reload what the server has either way.
    onSettled: () => queryClient.invalidateQueries({ queryKey: queryKeys.chatbots.schedules(org.id, bot.id) }),
  });

  const add = (weekday: number) => {
    const last = rows.filter((r) => r.weekday === weekday).at(-1);
    setRows((rs) => [
      ...rs,
      { uid: uidSeq++, weekday, opensAt: last ? last.closesAt : '09:00', closesAt: last ? (last.closesAt < '20:00' ? '20:00' : '23:59') : '18:00' },
    ]);
  };
  const setRow = (uid: number, patch: Partial<Row>) => setRows((rs) => rs.map((r) => (r.uid === uid ? { ...r, ...patch } : r)));
  const weekdaysPreset = () =>
    setRows((rs) => [
      ...rs.filter((r) => r.weekday === 0 || r.weekday === 6),
      ...[1, 2, 3, 4, 5].map((weekday) => ({ uid: uidSeq++, weekday, opensAt: '09:00', closesAt: '18:00' })),
    ]);

  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        if (invalid.length === 0) save.mutate();
      }}
      className="space-y-6"
    >
      <UnsavedChangesGuard dirty={dirty && !save.isPending && canWrite} />
      <Card
        title={t('bots.hours.title')}
        description={
          <>
            {t('bots.hours.desc')} <span className="font-medium text-zinc-700 dark:text-zinc-300">{t('bots.hours.timezone', { tz: timezone })}</span>
            {hasRole(org.role, 'admin') && (
              <>
                {' · '}
                <Link to="/settings" className="text-indigo-600 hover:underline dark:text-indigo-400">
                  {t('bots.hours.changeTz')}
                </Link>
              </>
            )}
          </>
        }
        actions={
          canWrite &&
          rows.length > 0 && (
            <Button variant="secondary" size="sm" onClick={weekdaysPreset}>
              {t('bots.hours.preset')}
            </Button>
          )
        }
      >
        {rows.length === 0 ? (
          // No hours is one state ("always open"), not seven closed days.
          <div className="flex flex-wrap items-center justify-between gap-3 rounded-lg bg-zinc-50 p-4 dark:bg-zinc-800/50">
            <div>
              <p className="text-sm font-medium">{t('bots.hours.alwaysOpen')}</p>
              <p className="text-sm text-zinc-500 dark:text-zinc-400">{t('bots.hours.alwaysOpenDesc')}</p>
            </div>
            {canWrite && (
              <Button variant="secondary" size="sm" onClick={weekdaysPreset}>
                {t('bots.hours.setHours')}
              </Button>
            )}
          </div>
        ) : (
        <fieldset disabled={!canWrite}>
          <legend className="sr-only">{t('bots.hours.title')}</legend>
          <ul className="divide-y divide-zinc-100 dark:divide-zinc-800">
            {WEEK.map((weekday) => {
              const day = weekdayName(weekday, locale);
              const dayRows = rows.filter((r) => r.weekday === weekday);
              return (
                <li key={weekday} className="grid gap-2 py-3 sm:grid-cols-[9rem_1fr] sm:items-start" aria-label={day}>
                  <p className="pt-1.5 text-sm font-medium capitalize">{day}</p>
                  <div className="space-y-2">
                    {dayRows.length === 0 && <p className="pt-1.5 text-sm text-zinc-500">{t('bots.hours.closed')}</p>}
                    {dayRows.map((r, i) => {
                      const bad = invalid.includes(r);
                      return (
                        <div key={r.uid} className="flex flex-wrap items-center gap-2">
                          <input
                            type="time"
                            value={r.opensAt}
                            onChange={(e) => setRow(r.uid, { opensAt: e.target.value })}
                            aria-label={t('bots.hours.opens', { day, n: i + 1 })}
                            aria-invalid={bad || undefined}
                            required
                            className="rounded-lg border-0 bg-white px-2.5 py-1.5 text-sm ring-1 ring-zinc-300 ring-inset focus:ring-2 focus:ring-indigo-600 aria-[invalid=true]:ring-red-500 dark:bg-zinc-900 dark:ring-zinc-700"
                          />
                          <span aria-hidden="true" className="text-zinc-400">
                            –
                          </span>
                          <input
                            type="time"
                            value={r.closesAt}
                            onChange={(e) => setRow(r.uid, { closesAt: e.target.value })}
                            aria-label={t('bots.hours.closes', { day, n: i + 1 })}
                            aria-invalid={bad || undefined}
                            required
                            className="rounded-lg border-0 bg-white px-2.5 py-1.5 text-sm ring-1 ring-zinc-300 ring-inset focus:ring-2 focus:ring-indigo-600 aria-[invalid=true]:ring-red-500 dark:bg-zinc-900 dark:ring-zinc-700"
                          />
                          {canWrite && (
                            <Button
                              variant="ghost"
                              size="sm"
                              onClick={() => setRows((rs) => rs.filter((x) => x.uid !== r.uid))}
                              aria-label={t('bots.hours.remove', { day, n: i + 1 })}
                            >
                              ×
                            </Button>
                          )}
                          {bad && <span className="text-xs text-red-600 dark:text-red-400">{t('bots.hours.invalid')}</span>}
                          {!bad && r.closesAt < r.opensAt && <span className="text-xs text-zinc-500">{t('bots.hours.overnight')}</span>}
                        </div>
                      );
                    })}
                    {canWrite && (
                      <Button variant="ghost" size="sm" onClick={() => add(weekday)} aria-label={t('bots.hours.addFor', { day })}>
                        + {t('bots.hours.add')}
                      </Button>
                    )}
                  </div>
                </li>
              );
            })}
          </ul>
          {canWrite && (
            <div className="mt-2 flex justify-end">
              <Button variant="ghost" size="sm" onClick={() => setRows([])}>
                {t('bots.hours.clearAll')}
              </Button>
            </div>
          )}
        </fieldset>
        )}
      </Card>
      <Card title={t('bots.hours.outsideTitle')} description={t('bots.hours.outsideDesc')}>
        <fieldset disabled={!canWrite} className="space-y-3">
          <legend className="sr-only">{t('bots.hours.outsideTitle')}</legend>
          {[true, false].map((value) => (
            <label
              key={String(value)}
              className="flex cursor-pointer gap-3 rounded-lg p-3 ring-1 ring-zinc-200 has-[:checked]:ring-2 has-[:checked]:ring-indigo-600 dark:ring-zinc-700"
            >
              <input
                type="radio"
                name="answerOutsideHours"
                className="mt-1 accent-indigo-600"
                checked={answerOutsideHours === value}
                onChange={() => setAnswerOutsideHours(value)}
              />
              <span>
                <span className="block text-sm font-medium">
                  {value ? t('bots.hours.modeAlways') : t('bots.hours.modeQuiet')}
                  {value && <span className="ml-2 text-xs font-normal text-zinc-500">{t('bots.hours.recommended')}</span>}
                </span>
                <span className="block text-sm text-zinc-500 dark:text-zinc-400">{value ? t('bots.hours.modeAlwaysDesc') : t('bots.hours.modeQuietDesc')}</span>
              </span>
            </label>
          ))}
          {rows.length === 0 && <p className="text-xs text-zinc-500">{t('bots.hours.modeNoHours')}</p>}
        </fieldset>
      </Card>
      {save.error && <Alert tone="error">{errorMessage(save.error)}</Alert>}
      {canWrite && (
        <SaveBar
          dirty={dirty}
          pending={save.isPending}
          onReset={() => {
            setRows(initial);
            setAnswerOutsideHours(bot.answerOutsideHours);
          }}
        />
      )}
    </form>
  );
}
