import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useRouter } from '@tanstack/react-router';
import { useId, useMemo, useState } from 'react';
import { OWN_ERROR } from '../lib/mutation-errors';
import { api, fieldErrorOf, hasFieldErrors } from '../lib/api';
import { useErrorMessage, useLocale, useT } from '../lib/i18n';
import { setCurrentOrgId } from '../lib/org';
import type { Organization } from '../lib/queries';
import { LOCALE_NAMES } from './chrome';
import { useToast } from './toast';
import { Alert, Button, SelectField, TextField } from './ui';
import { queryKeys } from '../lib/query-keys';

/** Where most of our customers are, offered first; the full list follows. */
const COMMON_ZONES = [
  'UTC',
  'Europe/Madrid',
  'America/Mexico_City',
  'America/Bogota',
  'America/Lima',
  'America/Santiago',
  'America/Argentina/Buenos_Aires',
  'America/Caracas',
  'America/New_York',
  'America/Los_Angeles',
  'Europe/London',
  'Atlantic/Canary',
];

/**
 * Every time zone, common ones first. `Intl.supportedValuesOf` leaves out "UTC" in Chromium, so
 * without it an organization on UTC showed the first entry, "Africa/Abidjan".
 */
export function timeZones(): string[] {
  let all: string[] = [];
  try {
    all = Intl.supportedValuesOf('timeZone');
  } catch {
    // Old browsers: the common list is still there.
  }
  return [...new Set([...COMMON_ZONES, ...all])];
}

/** "UTC+01:00" for a zone, right now (daylight saving included). */
export function utcOffset(zone: string, now = new Date()): string {
  try {
    const name = new Intl.DateTimeFormat('en-US', { timeZone: zone, timeZoneName: 'longOffset' }).formatToParts(now).find((p) => p.type === 'timeZoneName')?.value;
    return (name ?? 'GMT').replace('GMT', 'UTC');
  } catch {
    return '';
  }
}

/**
 * A searchable time-zone field: the browser filters the list as people type ("madrid", "mex"),
 * each entry shows its UTC offset, and only a known zone is accepted.
 */
export function TimeZoneField({ label, value, onChange, error, className }: { label: string; value: string; onChange: (zone: string) => void; error?: string; className?: string }) {
  const zones = useMemo(timeZones, []);
  const listId = useId();
  const [text, setText] = useState(value);
  const known = zones.includes(text) || text === value;
  return (
    <>
      <TextField
        className={className}
        label={label}
        value={text}
        list={listId}
        autoComplete="off"
        spellCheck={false}
        onChange={(e) => {
          setText(e.target.value);
          if (zones.includes(e.target.value)) onChange(e.target.value);
        }}
        onBlur={() => {
          if (!zones.includes(text)) setText(value);
        }}
        hint={known ? utcOffset(value) : undefined}
        error={error}
      />
      <datalist id={listId}>
        {zones.map((z) => (
          <option key={z} value={z} label={utcOffset(z)} />
        ))}
      </datalist>
    </>
  );
}

export function CreateOrgForm({ onDone }: { onDone?: () => void }) {
  const t = useT();
  const locale = useLocale();
  const toast = useToast();
  const errorMessage = useErrorMessage();
  const queryClient = useQueryClient();
  const router = useRouter();
  const [name, setName] = useState('');
  const [timezone, setTimezone] = useState(() => Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC');
  const [language, setLanguage] = useState<string>(locale);

  const create = useMutation({
    meta: OWN_ERROR,
    mutationFn: () => api<Organization>('/api/v1/organizations', { method: 'POST', body: { name, timezone, language }, orgId: null }),
    onSuccess: async (org) => {
      setCurrentOrgId(org.id);
      await Promise.all([
        queryClient.invalidateQueries({ queryKey: queryKeys.organizations.list() }),
        queryClient.invalidateQueries({ queryKey: queryKeys.profile() }),
      ]);
      await router.invalidate();
      toast.success(t('org.created', { name: org.name }));
      onDone?.();
    },
  });
  const fieldError = (p: string) =>
    fieldErrorOf(create.error, p);

  return (
    <form
      className="space-y-4"
      onSubmit={(e) => {
        e.preventDefault();
        create.mutate();
      }}
    >
      {create.error && !hasFieldErrors(create.error) && (
        <Alert tone="error">{errorMessage(create.error)}</Alert>
      )}
      <TextField
        label={t('org.name')}
        value={name}
        onChange={(e) => setName(e.target.value)}
        required
        maxLength={100}
        autoFocus
        placeholder={t('org.namePlaceholder')}
        error={fieldError('name')}
      />
      <TimeZoneField label={t('org.timezone')} value={timezone} onChange={setTimezone} error={fieldError('timezone')} />
      <SelectField label={t('org.language')} value={language} onChange={(e) => setLanguage(e.target.value)} error={fieldError('language')}>
        <option value="es">{LOCALE_NAMES.es}</option>
        <option value="en">{LOCALE_NAMES.en}</option>
      </SelectField>
      <Button type="submit" className="w-full" loading={create.isPending}>
        {t('org.create')}
      </Button>
    </form>
  );
}
