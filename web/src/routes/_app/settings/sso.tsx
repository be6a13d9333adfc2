import { queryOptions, useMutation, useQueryClient, useSuspenseQuery } from '@tanstack/react-query';
import { createFileRoute } from '@tanstack/react-router';
import { useState } from 'react';
import { useToast } from '../../../components/toast';
import { Alert, Badge, Button, Card, ConfirmDialog, CopyButton, SelectField, Switch, TextField } from '../../../components/ui';
import { api } from '../../../lib/api';
import type { ApiResponse, Schemas } from '../../../lib/api-contract';
import { useErrorMessage, useT } from '../../../lib/i18n';
import { OWN_ERROR } from '../../../lib/mutation-errors';
import { useOrg } from '../../../lib/use-org';

type SsoSettings = Schemas['SsoSettings'];
type SsoDomain = Schemas['SsoDomain'];
type Preset = 'google' | 'microsoft' | 'custom';
type JitRole = 'admin' | 'agent' | 'viewer';

const ssoQuery = (orgId: string) =>
  queryOptions({ queryKey: ['sso', { orgId }] as const, queryFn: () => api<SsoSettings>('/api/v1/sso', { orgId }) });

export const Route = createFileRoute('/_app/settings/sso')({
  loader: ({ context: { queryClient, orgId } }) => {
    if (orgId) return queryClient.ensureQueryData(ssoQuery(orgId));
  },
  component: SingleSignOn,
});

function SingleSignOn() {
  const t = useT();
  const org = useOrg();
  const { data } = useSuspenseQuery(ssoQuery(org.id));
  return (
    <div className="space-y-6">
      <ProviderForm settings={data} key={data.connection?.updatedAt ?? 'new'} />
      <Domains domains={data.domains} />
      <p className="text-xs text-zinc-500">{t('sso.desc')}</p>
    </div>
  );
}

function ProviderForm({ settings }: { settings: SsoSettings }) {
  const t = useT();
  const toast = useToast();
  const errorMessage = useErrorMessage();
  const queryClient = useQueryClient();
  const org = useOrg();
  const connection = settings.connection;
  const [preset, setPreset] = useState<Preset>(connection?.preset ?? 'google');
  const [issuer, setIssuer] = useState(connection?.issuer ?? settings.presets.google.issuer);
  const [clientId, setClientId] = useState(connection?.clientId ?? '');
  const [clientSecret, setClientSecret] = useState('');
  const [defaultRole, setDefaultRole] = useState<JitRole>(connection?.defaultRole ?? 'agent');
  const [ssoRequired, setSsoRequired] = useState(connection?.ssoRequired ?? false);
  const [enabled, setEnabled] = useState(connection?.enabled ?? true);
  const [confirmRemove, setConfirmRemove] = useState(false);
  const refresh = () => queryClient.invalidateQueries({ queryKey: ['sso', { orgId: org.id }] });

  const choosePreset = (next: Preset) => {
    setPreset(next);
    if (next !== 'custom') setIssuer(settings.presets[next].issuer);
  };

  const save = useMutation({
    meta: OWN_ERROR,
    mutationFn: () =>
      api<ApiResponse<'/api/v1/sso/connection', 'put'>>('/api/v1/sso/connection', {
        method: 'PUT',
        orgId: org.id,
        body: { preset, issuer, clientId, ...(clientSecret ? { clientSecret } : {}), defaultRole, ssoRequired, enabled },
      }),
    onSuccess: async () => {
      toast.success(t('sso.saved'));
      setClientSecret('');
      await refresh();
    },
  });
  const test = useMutation({
    meta: OWN_ERROR,
    mutationFn: () => api<ApiResponse<'/api/v1/sso/connection/test', 'post'>>('/api/v1/sso/connection/test', { method: 'POST', orgId: org.id }),
  });
  const remove = useMutation({
    mutationFn: () => api('/api/v1/sso/connection', { method: 'DELETE', orgId: org.id }),
    onSuccess: async () => {
      setConfirmRemove(false);
      await refresh();
    },
  });

  return (
    <Card title={t('sso.title')} description={t('sso.desc')}>
      <form
        className="space-y-4"
        onSubmit={(e) => {
          e.preventDefault();
          save.mutate();
        }}
      >
        {save.error && <Alert tone="error">{errorMessage(save.error)}</Alert>}
        <SelectField label={t('sso.preset')} value={preset} onChange={(e) => choosePreset(e.target.value as Preset)}>
          <option value="google">{t('sso.preset.google')}</option>
          <option value="microsoft">{t('sso.preset.microsoft')}</option>
          <option value="custom">{t('sso.preset.custom')}</option>
        </SelectField>
        <TextField
          label={t('sso.issuer')}
          type="url"
          value={issuer}
          onChange={(e) => setIssuer(e.target.value)}
          required
          hint={preset === 'microsoft' ? t('sso.issuerHint') : undefined}
        />
        <TextField label={t('sso.clientId')} value={clientId} onChange={(e) => setClientId(e.target.value)} required autoComplete="off" />
        <TextField
          label={t('sso.clientSecret')}
          type="password"
          value={clientSecret}
          onChange={(e) => setClientSecret(e.target.value)}
          required={!connection?.hasClientSecret}
          autoComplete="new-password"
          hint={connection?.hasClientSecret ? t('sso.clientSecretKept') : undefined}
        />
        <div>
          <span className="mb-1.5 block text-sm font-medium text-zinc-700 dark:text-zinc-300">{t('sso.redirectUri')}</span>
          <div className="flex items-center gap-2">
            <code className="min-w-0 flex-1 truncate rounded bg-zinc-100 px-2 py-1.5 text-xs dark:bg-zinc-800" data-testid="sso-redirect-uri">
              {settings.redirectUri}
            </code>
            <CopyButton value={settings.redirectUri} />
          </div>
        </div>
        <SelectField label={t('sso.defaultRole')} value={defaultRole} onChange={(e) => setDefaultRole(e.target.value as JitRole)}>
          {(['admin', 'agent', 'viewer'] as const).map((role) => (
            <option key={role} value={role}>
              {t(`role.${role}`)}
            </option>
          ))}
        </SelectField>
        <Switch label={t('sso.required')} description={t('sso.requiredDesc')} checked={ssoRequired} onChange={setSsoRequired} />
        <Switch label={t('sso.enabled')} checked={enabled} onChange={setEnabled} />
        {test.data && <Alert tone="success">{t('sso.testOk', { issuer: test.data.issuer })}</Alert>}
        {test.error && <Alert tone="error">{errorMessage(test.error)}</Alert>}
        <div className="flex flex-wrap gap-2">
          <Button type="submit" loading={save.isPending}>
            {t('sso.save')}
          </Button>
          {connection && (
            <>
              <Button type="button" variant="secondary" loading={test.isPending} onClick={() => test.mutate()}>
                {t('sso.test')}
              </Button>
              <Button type="button" variant="danger" onClick={() => setConfirmRemove(true)}>
                {t('sso.remove')}
              </Button>
            </>
          )}
        </div>
      </form>
      <ConfirmDialog
        open={confirmRemove}
        onClose={() => setConfirmRemove(false)}
        onConfirm={() => remove.mutate()}
        title={t('sso.remove')}
        description={t('sso.removeBody')}
        confirmLabel={t('sso.remove')}
        pending={remove.isPending}
      />
    </Card>
  );
}

function Domains({ domains }: { domains: SsoDomain[] }) {
  const t = useT();
  const errorMessage = useErrorMessage();
  const queryClient = useQueryClient();
  const org = useOrg();
  const [domain, setDomain] = useState('');
  const refresh = () => queryClient.invalidateQueries({ queryKey: ['sso', { orgId: org.id }] });
  const add = useMutation({
    meta: OWN_ERROR,
    mutationFn: () => api<SsoDomain>('/api/v1/sso/domains', { method: 'POST', orgId: org.id, body: { domain } }),
    onSuccess: async () => {
      setDomain('');
      await refresh();
    },
  });
  return (
    <Card title={t('sso.domains')} description={t('sso.domainsDesc')}>
      <form
        className="flex items-end gap-2"
        onSubmit={(e) => {
          e.preventDefault();
          add.mutate();
        }}
      >
        <TextField label={t('sso.domain')} className="flex-1" value={domain} onChange={(e) => setDomain(e.target.value)} placeholder="acme.com" required />
        <Button type="submit" loading={add.isPending}>
          {t('sso.addDomain')}
        </Button>
      </form>
      {add.error && (
        <div className="mt-3">
          <Alert tone="error">{errorMessage(add.error)}</Alert>
        </div>
      )}
      {domains.length === 0 ? (
        <p className="mt-4 text-sm text-zinc-500">{t('sso.noDomains')}</p>
      ) : (
        <ul className="mt-4 divide-y divide-zinc-200 dark:divide-zinc-800">
          {domains.map((d) => (
            <DomainRow key={d.id} domain={d} onChange={refresh} />
          ))}
        </ul>
      )}
    </Card>
  );
}

function DomainRow({ domain, onChange }: { domain: SsoDomain; onChange: () => Promise<unknown> }) {
  const t = useT();
  const errorMessage = useErrorMessage();
  const org = useOrg();
  const verify = useMutation({
    meta: OWN_ERROR,
    mutationFn: (method: 'dns' | 'admin_email') =>
      api<SsoDomain>(`/api/v1/sso/domains/${domain.id}/verify`, { method: 'POST', orgId: org.id, body: { method } }),
    onSuccess: onChange,
  });
  const remove = useMutation({
    mutationFn: () => api(`/api/v1/sso/domains/${domain.id}`, { method: 'DELETE', orgId: org.id }),
    onSuccess: onChange,
  });
  return (
    <li className="py-3" data-testid={`sso-domain-${domain.domain}`}>
      <div className="flex items-center justify-between gap-2">
        <div className="flex items-center gap-2">
          <span className="font-medium">{domain.domain}</span>
          {domain.verified ? <Badge tone="green">{t('sso.verified')}</Badge> : <Badge tone="amber">{t('sso.unverified')}</Badge>}
        </div>
        <Button variant="ghost" size="sm" loading={remove.isPending} onClick={() => remove.mutate()}>
          {t('sso.removeDomain')}
        </Button>
      </div>
      {!domain.verified && (
        <div className="mt-2 space-y-2 text-sm">
          <p className="text-zinc-600 dark:text-zinc-400">{t('sso.txtHelp', { domain: domain.domain })}</p>
          <div className="flex items-center gap-2">
            <code className="min-w-0 flex-1 truncate rounded bg-zinc-100 px-2 py-1.5 text-xs dark:bg-zinc-800" data-testid="sso-txt-value">
              {domain.txtRecord.value}
            </code>
            <CopyButton value={domain.txtRecord.value} />
          </div>
          {verify.error && <Alert tone="error">{errorMessage(verify.error)}</Alert>}
          <div className="flex flex-wrap items-center gap-2">
            <Button size="sm" variant="secondary" loading={verify.isPending && verify.variables === 'dns'} onClick={() => verify.mutate('dns')}>
              {t('sso.verifyDns')}
            </Button>
            <Button
              size="sm"
              variant="secondary"
              loading={verify.isPending && verify.variables === 'admin_email'}
              onClick={() => verify.mutate('admin_email')}
              title={t('sso.verifyEmailHint')}
            >
              {t('sso.verifyEmail')}
            </Button>
          </div>
        </div>
      )}
    </li>
  );
}
