import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useRouter } from '@tanstack/react-router';
import { useMemo, useState } from 'react';
import { api, fieldErrorOf, hasFieldErrors } from '../lib/api';
import { useErrorMessage, useLocale, useT } from '../lib/i18n';
import { setCurrentOrgId } from '../lib/org';
import type { Organization } from '../lib/queries';
import { LOCALE_NAMES } from './chrome';
import { useToast } from './toast';
import { Alert, Button, SelectField, TextField } from './ui';

export function timeZones(): string[] {
  try {
    return Intl.supportedValuesOf('timeZone');
  } catch {
    return ['UTC'];
  }
}

export function CreateOrgForm({ onDone }: { onDone?: () => void }) {
  const t = useT();
  const locale = useLocale();
  const toast = useToast();
  const errorMessage = useErrorMessage();
  const queryClient = useQueryClient();
  const router = useRouter();
  const zones = useMemo(timeZones, []);
  const [name, setName] = useState('');
  const [timezone, setTimezone] = useState(() => Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC');
  const [language, setLanguage] = useState<string>(locale);

  const create = useMutation({
    mutationFn: () => api<Organization>('/api/v1/organizations', { method: 'POST', body: { name, timezone, language }, orgId: null }),
    onSuccess: async (org) => {
      setCurrentOrgId(org.id);
      await Promise.all([
        queryClient.invalidateQueries({ queryKey: ['organizations'] }),
        queryClient.invalidateQueries({ queryKey: ['profile'] }),
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
      <SelectField label={t('org.timezone')} value={timezone} onChange={(e) => setTimezone(e.target.value)} error={fieldError('timezone')}>
        {zones.map((z) => (
          <option key={z} value={z}>
            {z}
          </option>
        ))}
      </SelectField>
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
