import { AvatarUpload } from '../../components/avatar-upload';
import { useMutation, useQuery, useQueryClient, useSuspenseQuery } from '@tanstack/react-query';
import { createFileRoute, useNavigate } from '@tanstack/react-router';
import QRCode from 'qrcode';
import { useEffect, useState } from 'react';
import { LOCALE_NAMES } from '../../components/chrome';
import { useToast } from '../../components/toast';
import { Alert, Badge, Button, Card, ConfirmDialog, CopyButton, Dialog, ErrorState, formatDate, PageHeader, SelectField, Spinner, NewPasswordField, TextField } from '../../components/ui';
import { OWN_ERROR } from '../../lib/mutation-errors';
import type { ApiResponse } from '../../lib/api-contract';
import { api, ApiError, fieldErrorOf } from '../../lib/api';
import { setLocale, useErrorMessage, useLocale, useT, type Locale } from '../../lib/i18n';
import { backupCodesQuery, profileQuery, sessionsQuery, type Profile, type Session } from '../../lib/queries';
import { endSession } from '../../lib/session';
import { queryKeys } from '../../lib/query-keys';

export const Route = createFileRoute('/_app/profile')({
  loader: ({ context: { queryClient } }) => queryClient.ensureQueryData(profileQuery()),
  component: ProfilePage,
});

function ProfilePage() {
  const t = useT();
  const { data: profile } = useSuspenseQuery(profileQuery());
  return (
    <>
      <PageHeader title={t('profile.title')} description={profile.email} />
      <div className="space-y-6">
        <AvatarUpload avatarUrl={profile.avatarUrl} name={profile.name} />
        <ProfileForm key={profile.id} profile={profile} />
        <ChangePassword />
        <TwoFactor profile={profile} />
        <Sessions />
        <DeleteAccount twoFactor={profile.twoFactorEnabled} />
      </div>
    </>
  );
}

function ProfileForm({ profile }: { profile: Profile }) {
  const t = useT();
  const toast = useToast();
  const errorMessage = useErrorMessage();
  const queryClient = useQueryClient();
  const [name, setName] = useState(profile.name);
  const [phone, setPhone] = useState(profile.phone ?? '');
  const [locale, setLocaleField] = useState<Locale>(profile.locale === 'en' ? 'en' : 'es');
  const save = useMutation({
    meta: OWN_ERROR,
    mutationFn: () => api<Profile>('/api/v1/users/profile', { method: 'PUT', body: { name, phone: phone || null, locale }, orgId: null }),
    onSuccess: async () => {
      setLocale(locale);
      toast.success(t('common.saved'));
      await queryClient.invalidateQueries({ queryKey: queryKeys.profile() });
    },
  });
  const resend = useMutation({
    mutationFn: () => api('/api/v1/auth/resend-verification', { method: 'POST', body: {}, orgId: null }),
    onSuccess: () => toast.success(t('overview.verificationSent')),
  });
  const fe = (p: string) => fieldErrorOf(save.error, p);
  return (
    <Card title={t('profile.details')}>
      <div className="mb-5 flex flex-wrap items-center gap-3 text-sm">
        <span className="text-zinc-500">{profile.email}</span>
        {profile.emailVerified ? (
          <Badge tone="green">{t('profile.verified')}</Badge>
        ) : (
          <>
            <Badge tone="amber">{t('profile.unverified')}</Badge>
            <Button size="sm" variant="secondary" loading={resend.isPending} onClick={() => resend.mutate()}>
              {t('overview.resend')}
            </Button>
          </>
        )}
      </div>
      <form
        className="grid gap-4 sm:grid-cols-2"
        onSubmit={(e) => {
          e.preventDefault();
          save.mutate();
        }}
      >
        <TextField label={t('auth.name')} value={name} onChange={(e) => setName(e.target.value)} required autoComplete="name" error={fe('name')} />
        <TextField label={t('profile.phone')} type="tel" value={phone} onChange={(e) => setPhone(e.target.value)} autoComplete="tel" error={fe('phone')} />
        <SelectField label={t('common.language')} value={locale} onChange={(e) => setLocaleField(e.target.value as Locale)}>
          <option value="es">{LOCALE_NAMES.es}</option>
          <option value="en">{LOCALE_NAMES.en}</option>
        </SelectField>
        {save.error && !fe('name') && !fe('phone') && (
          <div className="sm:col-span-2">
            <Alert tone="error">{errorMessage(save.error)}</Alert>
          </div>
        )}
        <div className="flex justify-end sm:col-span-2">
          <Button type="submit" loading={save.isPending}>
            {t('common.save')}
          </Button>
        </div>
      </form>
    </Card>
  );
}

function ChangePassword() {
  const t = useT();
  const toast = useToast();
  const errorMessage = useErrorMessage();
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const change = useMutation({
    meta: OWN_ERROR,
    mutationFn: () => api('/api/v1/users/change-password', { method: 'POST', body: { currentPassword: current, newPassword: next }, orgId: null }),
    onSuccess: () => {
      toast.success(t('profile.passwordChanged'));
      setCurrent('');
      setNext('');
    },
  });
  const wrong = change.error instanceof ApiError && change.error.code === 'invalid_credentials';
  const fe = fieldErrorOf(change.error, 'newPassword');
  return (
    <Card title={t('profile.changePassword')}>
      <form
        className="grid gap-4 sm:grid-cols-2"
        onSubmit={(e) => {
          e.preventDefault();
          change.mutate();
        }}
      >
        <TextField
          label={t('profile.currentPassword')}
          type="password"
          autoComplete="current-password"
          value={current}
          onChange={(e) => setCurrent(e.target.value)}
          required
          error={wrong ? t('profile.wrongPassword') : undefined}
        />
        <NewPasswordField label={t('reset.newPassword')} value={next} onChange={(e) => setNext(e.target.value)} error={fe} />
        {change.error && !wrong && !fe && (
          <div className="sm:col-span-2">
            <Alert tone="error">{errorMessage(change.error)}</Alert>
          </div>
        )}
        <div className="flex justify-end sm:col-span-2">
          <Button type="submit" loading={change.isPending}>
            {t('profile.updatePassword')}
          </Button>
        </div>
      </form>
    </Card>
  );
}

function BackupCodes({ codes, onDone }: { codes: string[]; onDone: () => void }) {
  const t = useT();
  const text = codes.join('\n');
  const download = () => {
    const url = URL.createObjectURL(new Blob([text + '\n'], { type: 'text/plain' }));
    const a = document.createElement('a');
    a.href = url;
    a.download = 'versaai-backup-codes.txt';
    a.click();
    URL.revokeObjectURL(url);
  };
  return (
    <div className="space-y-4">
      <Alert tone="warning">{t('twoFactor.backupWarning')}</Alert>
      <ul aria-label={t('twoFactor.backupCodes')} className="grid grid-cols-2 gap-2 rounded-lg bg-zinc-50 p-4 font-mono text-sm sm:grid-cols-3 dark:bg-zinc-800/60">
        {codes.map((c) => (
          <li key={c}>{c}</li>
        ))}
      </ul>
      <div className="flex flex-wrap gap-2">
        <CopyButton value={text} label={t('twoFactor.copyCodes')} />
        <Button variant="secondary" size="sm" onClick={download}>
          {t('twoFactor.download')}
        </Button>
        <Button size="sm" className="ml-auto" onClick={onDone}>
          {t('twoFactor.saved')}
        </Button>
      </div>
    </div>
  );
}

function TwoFactor({ profile }: { profile: Profile }) {
  const t = useT();
  const [codes, setCodes] = useState<string[] | null>(null);
  return (
    <Card
      title={t('twoFactor.title')}
      description={t('twoFactor.desc')}
      actions={profile.twoFactorEnabled ? <Badge tone="green">{t('twoFactor.on')}</Badge> : <Badge>{t('twoFactor.off')}</Badge>}
    >
      {codes ? (
        <BackupCodes codes={codes} onDone={() => setCodes(null)} />
      ) : profile.twoFactorEnabled ? (
        <TwoFactorManage onCodes={setCodes} />
      ) : (
        <TwoFactorSetup onCodes={setCodes} />
      )}
    </Card>
  );
}

function TwoFactorSetup({ onCodes }: { onCodes: (codes: string[]) => void }) {
  const t = useT();
  const toast = useToast();
  const errorMessage = useErrorMessage();
  const queryClient = useQueryClient();
  const [qr, setQr] = useState<string | null>(null);
  const [code, setCode] = useState('');
  const setup = useMutation({
    meta: OWN_ERROR,
    mutationFn: () => api<ApiResponse<'/api/v1/auth/2fa/setup', 'post'>>('/api/v1/auth/2fa/setup', { method: 'POST', body: {}, orgId: null }),
  });
  useEffect(() => {
    if (!setup.data) return;
    let live = true;
    QRCode.toDataURL(setup.data.otpauthUrl, { margin: 1, width: 200 }).then((url) => live && setQr(url));
    return () => {
      live = false;
    };
  }, [setup.data]);
  const verify = useMutation({
    meta: OWN_ERROR,
    mutationFn: () => api<ApiResponse<'/api/v1/auth/2fa/verify', 'post'>>('/api/v1/auth/2fa/verify', { method: 'POST', body: { code: code.trim() }, orgId: null }),
    onSuccess: async ({ backupCodes }) => {
      toast.success(t('twoFactor.enabled'));
      onCodes(backupCodes);
      await queryClient.invalidateQueries({ queryKey: queryKeys.profile() });
      await queryClient.invalidateQueries({ queryKey: queryKeys.backupCodes() });
    },
  });

  if (!setup.data) {
    return (
      <div className="space-y-3">
        {setup.error && <Alert tone="error">{errorMessage(setup.error)}</Alert>}
        <Button loading={setup.isPending} onClick={() => setup.mutate()}>
          {t('twoFactor.enable')}
        </Button>
      </div>
    );
  }
  return (
    <div className="grid gap-6 md:grid-cols-[auto_1fr]">
      <div className="flex size-[216px] items-center justify-center rounded-lg bg-white p-2 ring-1 ring-zinc-200">
        {qr ? <img src={qr} alt={t('twoFactor.qrAlt')} width={200} height={200} /> : <Spinner />}
      </div>
      <form
        className="space-y-4"
        onSubmit={(e) => {
          e.preventDefault();
          verify.mutate();
        }}
      >
        <ol className="list-decimal space-y-1 pl-5 text-sm text-zinc-600 dark:text-zinc-300">
          <li>{t('twoFactor.step1')}</li>
          <li>{t('twoFactor.step2')}</li>
        </ol>
        <div>
          <p className="text-xs font-medium text-zinc-500">{t('twoFactor.secretLabel')}</p>
          <code data-testid="totp-secret" className="mt-1 block rounded-md bg-zinc-100 px-3 py-2 font-mono text-sm tracking-wider break-all select-all dark:bg-zinc-800">
            {setup.data.secret}
          </code>
        </div>
        <TextField
          label={t('twoFactor.code')}
          value={code}
          onChange={(e) => setCode(e.target.value)}
          inputMode="numeric"
          autoComplete="one-time-code"
          pattern="[0-9 ]{6,7}"
          required
          error={verify.error ? errorMessage(verify.error) : undefined}
        />
        <Button type="submit" loading={verify.isPending}>
          {t('twoFactor.verify')}
        </Button>
      </form>
    </div>
  );
}

function TwoFactorManage({ onCodes }: { onCodes: (codes: string[]) => void }) {
  const t = useT();
  const toast = useToast();
  const errorMessage = useErrorMessage();
  const queryClient = useQueryClient();
  const remaining = useQuery(backupCodesQuery());
  const [dialog, setDialog] = useState<'regenerate' | 'disable' | null>(null);
  const [code, setCode] = useState('');
  const [password, setPassword] = useState('');
  const close = () => {
    setDialog(null);
    setCode('');
    setPassword('');
    regenerate.reset();
    disable.reset();
  };
  const regenerate = useMutation({
    meta: OWN_ERROR,
    mutationFn: () => api<ApiResponse<'/api/v1/auth/2fa/backup-codes', 'post'>>('/api/v1/auth/2fa/backup-codes', { method: 'POST', body: { code: code.trim() }, orgId: null }),
    onSuccess: async ({ backupCodes }) => {
      close();
      onCodes(backupCodes);
      await queryClient.invalidateQueries({ queryKey: queryKeys.backupCodes() });
    },
  });
  const disable = useMutation({
    meta: OWN_ERROR,
    mutationFn: () => api('/api/v1/auth/2fa/disable', { method: 'POST', body: { password, code: code.trim() }, orgId: null }),
    onSuccess: async () => {
      close();
      toast.success(t('twoFactor.disabled'));
      await queryClient.invalidateQueries({ queryKey: queryKeys.profile() });
    },
  });
  const active = dialog === 'regenerate' ? regenerate : disable;
  return (
    <div className="flex flex-wrap items-center gap-3">
      <p className="flex-1 text-sm text-zinc-600 dark:text-zinc-300">
        {remaining.isPending ? <Spinner className="size-4" /> : remaining.isError ? '—' : t('twoFactor.remaining', { count: remaining.data.remaining })}
      </p>
      <Button variant="secondary" onClick={() => setDialog('regenerate')}>
        {t('twoFactor.regenerate')}
      </Button>
      <Button variant="danger" onClick={() => setDialog('disable')}>
        {t('twoFactor.disable')}
      </Button>
      <Dialog open={!!dialog} onClose={close} title={dialog === 'disable' ? t('twoFactor.disable') : t('twoFactor.regenerate')}>
        <form
          className="space-y-4"
          onSubmit={(e) => {
            e.preventDefault();
            active.mutate();
          }}
        >
          <p className="text-sm text-zinc-600 dark:text-zinc-400">{dialog === 'disable' ? t('twoFactor.disableBody') : t('twoFactor.regenerateBody')}</p>
          {active.error && <Alert tone="error">{errorMessage(active.error)}</Alert>}
          {dialog === 'disable' && (
            <TextField label={t('auth.password')} type="password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} required />
          )}
          <TextField label={t('twoFactor.code')} value={code} onChange={(e) => setCode(e.target.value)} autoComplete="one-time-code" required />
          <div className="flex justify-end gap-2">
            <Button variant="secondary" onClick={close}>
              {t('common.cancel')}
            </Button>
            <Button type="submit" variant={dialog === 'disable' ? 'danger' : 'primary'} loading={active.isPending}>
              {dialog === 'disable' ? t('twoFactor.disable') : t('twoFactor.regenerate')}
            </Button>
          </div>
        </form>
      </Dialog>
    </div>
  );
}

function describeAgent(ua: string | null): string {
  if (!ua) return '—';
  const browser = /Edg\//.test(ua) ? 'Edge' : /Chrome\//.test(ua) ? 'Chrome' : /Firefox\//.test(ua) ? 'Firefox' : /Safari\//.test(ua) ? 'Safari' : null;
  const os = /Windows/.test(ua) ? 'Windows' : /Mac OS X/.test(ua) ? 'macOS' : /Android/.test(ua) ? 'Android' : /iPhone|iPad/.test(ua) ? 'iOS' : /Linux/.test(ua) ? 'Linux' : null;
  return browser || os ? [browser, os].filter(Boolean).join(' · ') : ua.slice(0, 60);
}

function Sessions() {
  const t = useT();
  const locale = useLocale();
  const toast = useToast();
  const errorMessage = useErrorMessage();
  const queryClient = useQueryClient();
  const sessions = useQuery(sessionsQuery());
  const [revoking, setRevoking] = useState<Session | null>(null);
  const revoke = useMutation({
    mutationFn: (id: string) => api(`/api/v1/auth/sessions/${id}`, { method: 'DELETE', orgId: null }),
    onSuccess: () => {
      toast.success(t('sessions.revoked'));
      setRevoking(null);
    },
    onSettled: () => queryClient.invalidateQueries({ queryKey: queryKeys.sessions() }),
  });
  return (
    <Card title={t('sessions.title')} description={t('sessions.desc')}>
      {sessions.isPending ? (
        <div role="status" className="flex justify-center py-4 text-zinc-400">
          <Spinner />
        </div>
      ) : sessions.isError ? (
        <ErrorState message={errorMessage(sessions.error)} onRetry={() => void sessions.refetch()} />
      ) : (
        <ul className="-my-3 divide-y divide-zinc-100 dark:divide-zinc-800">
          {sessions.data.map((s) => (
            <li key={s.id} className="flex flex-wrap items-center gap-3 py-3">
              <div className="min-w-0 flex-1">
                <p className="text-sm font-medium">
                  {describeAgent(s.userAgent)} {s.current && <Badge tone="green">{t('sessions.current')}</Badge>}
                </p>
                <p className="text-xs text-zinc-500">
                  {s.ip ?? '—'} · {t('sessions.lastUsed', { date: formatDate(s.lastUsedAt ?? s.createdAt, locale, true) })}
                </p>
              </div>
              {!s.current && (
                <Button variant="ghost" size="sm" onClick={() => setRevoking(s)}>
                  {t('team.revoke')}
                </Button>
              )}
            </li>
          ))}
        </ul>
      )}
      <ConfirmDialog
        open={!!revoking}
        onClose={() => setRevoking(null)}
        onConfirm={() => revoking && revoke.mutate(revoking.id)}
        pending={revoke.isPending}
        title={t('sessions.revokeTitle')}
        description={t('sessions.revokeBody')}
        confirmLabel={t('team.revoke')}
      />
    </Card>
  );
}

function DeleteAccount({ twoFactor }: { twoFactor: boolean }) {
  const t = useT();
  const toast = useToast();
  const errorMessage = useErrorMessage();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const [open, setOpen] = useState(false);
  const [password, setPassword] = useState('');
  const [code, setCode] = useState('');
  const del = useMutation({
    meta: OWN_ERROR,
    mutationFn: () =>
      api('/api/v1/users/account', { method: 'DELETE', body: { password, ...(twoFactor ? { code: code.replace(/\s+/g, '') } : {}) }, orgId: null }),
    onSuccess: async () => {
      setOpen(false);
      await endSession(queryClient);
      toast.success(t('profile.accountDeleted'));
      await navigate({ to: '/sign-in' });
    },
  });
  return (
    <Card danger title={t('settings.dangerZone')} description={t('profile.deleteDesc')}>
      <Button variant="danger" onClick={() => setOpen(true)}>
        {t('profile.deleteAccount')}
      </Button>
      <ConfirmDialog
        open={open}
        onClose={() => {
          setOpen(false);
          setPassword('');
          del.reset();
        }}
        onConfirm={() => del.mutate()}
        pending={del.isPending}
        title={t('profile.deleteAccount')}
        description={t('profile.deleteBody')}
        confirmLabel={t('profile.deleteAccount')}
      >
        <TextField
          className="mt-4"
          label={t('auth.password')}
          type="password"
          autoComplete="current-password"
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          required
          error={del.error ? errorMessage(del.error) : undefined}
        />
        {twoFactor && (
          <TextField
            className="mt-4"
            label={t('lifecycle.twoFactorCode')}
            autoComplete="one-time-code"
            value={code}
            onChange={(e) => setCode(e.target.value)}
            required
          />
        )}
      </ConfirmDialog>
    </Card>
  );
}
