import { useMutation, useQuery, useQueryClient, useSuspenseQuery } from '@tanstack/react-query';
import { createFileRoute } from '@tanstack/react-router';
import { useState } from 'react';
import { useToast } from '../../components/toast';
import { Alert, Badge, Button, Card, ConfirmDialog, DataTable, EmptyState, ErrorState, formatDate, PageHeader, SelectField, Spinner, TextField } from '../../components/ui';
import { OWN_ERROR } from '../../lib/mutation-errors';
import { api, fieldErrorOf } from '../../lib/api';
import { useErrorMessage, useLocale, useT } from '../../lib/i18n';
import { hasRole, invitationsQuery, membersQuery, profileQuery, ROLES, type Invitation, type Member, type Role } from '../../lib/queries';
import { useOrg } from '../../lib/use-org';
import { queryKeys } from '../../lib/query-keys';

export const Route = createFileRoute('/_app/team')({
  loader: ({ context: { queryClient, orgId } }) => {
    if (orgId) return queryClient.ensureQueryData(membersQuery(orgId));
  },
  component: Team,
});

function Team() {
  const t = useT();
  const org = useOrg();
  const canManage = hasRole(org.role, 'admin');
  return (
    <>
      <PageHeader title={t('team.title')} description={t('team.subtitle', { org: org.name })} />
      {!canManage && (
        <div className="mb-6">
          <Alert>{t('team.readOnly', { role: t(`role.${org.role}`) })}</Alert>
        </div>
      )}
      <div className="space-y-6">
        {canManage && <InviteForm orgId={org.id} myRole={org.role} />}
        <MembersCard orgId={org.id} myRole={org.role} canManage={canManage} />
        {canManage && <InvitationsCard orgId={org.id} />}
      </div>
    </>
  );
}

/** Roles the current user may hand out: only owners create owners. */
const assignable = (myRole: Role) => ROLES.filter((r) => r !== 'owner' || myRole === 'owner');

function InviteForm({ orgId, myRole }: { orgId: string; myRole: Role }) {
  const t = useT();
  const toast = useToast();
  const errorMessage = useErrorMessage();
  const queryClient = useQueryClient();
  const [email, setEmail] = useState('');
  const [role, setRole] = useState<Role>('agent');
  const invite = useMutation({
    meta: OWN_ERROR,
    mutationFn: () => api<Invitation>(`/api/v1/organizations/${orgId}/members/invite`, { method: 'POST', body: { email, role }, orgId }),
    onSuccess: async (inv) => {
      toast.success(t('team.invited', { email: inv.email }));
      setEmail('');
      await queryClient.invalidateQueries({ queryKey: queryKeys.invitations.list(orgId) });
    },
  });
  const fieldError = fieldErrorOf(invite.error, 'email');
  return (
    <Card title={t('team.inviteTitle')} description={t('team.inviteDesc')}>
      <form
        className="flex flex-col gap-3 sm:flex-row sm:items-end"
        onSubmit={(e) => {
          e.preventDefault();
          invite.mutate();
        }}
      >
        <TextField
          className="flex-1"
          label={t('auth.email')}
          type="email"
          value={email}
          onChange={(e) => setEmail(e.target.value)}
          required
          placeholder="name@company.com"
          error={fieldError}
        />
        <SelectField className="sm:w-40" label={t('team.role')} value={role} onChange={(e) => setRole(e.target.value as Role)}>
          {assignable(myRole).map((r) => (
            <option key={r} value={r}>
              {t(`role.${r}`)}
            </option>
          ))}
        </SelectField>
        <Button type="submit" loading={invite.isPending}>
          {t('team.sendInvite')}
        </Button>
      </form>
      {invite.error && !fieldError && (
        <div className="mt-3">
          <Alert tone="error">{errorMessage(invite.error)}</Alert>
        </div>
      )}
    </Card>
  );
}

function MembersCard({ orgId, myRole, canManage }: { orgId: string; myRole: Role; canManage: boolean }) {
  const t = useT();
  const locale = useLocale();
  const toast = useToast();
  const queryClient = useQueryClient();
  const { data: members } = useSuspenseQuery(membersQuery(orgId));
  const { data: me } = useSuspenseQuery(profileQuery());
  const [removing, setRemoving] = useState<Member | null>(null);

  const changeRole = useMutation({
    mutationFn: ({ userId, role }: { userId: string; role: Role }) =>
      api(`/api/v1/organizations/${orgId}/members/${userId}`, { method: 'PUT', body: { role }, orgId }),
    onSuccess: () => toast.success(t('team.roleChanged')),
    onSettled: () => queryClient.invalidateQueries({ queryKey: queryKeys.members.list(orgId) }),
  });
  const remove = useMutation({
    mutationFn: (userId: string) => api(`/api/v1/organizations/${orgId}/members/${userId}`, { method: 'DELETE', orgId }),
    onSuccess: () => {
      toast.success(t('team.removed', { name: removing?.name ?? '' }));
      setRemoving(null);
    },
    onSettled: () => queryClient.invalidateQueries({ queryKey: queryKeys.members.list(orgId) }),
  });

  // Admins cannot touch owners; nobody edits themselves here.
  const editable = (m: Member) => canManage && m.userId !== me.id && (m.role !== 'owner' || myRole === 'owner');

  return (
    <Card title={t('team.members')} description={t('team.membersCount', { count: members.length })}>
      {members.length === 0 ? (
        <EmptyState title={t('team.noMembers')} />
      ) : (
        <DataTable className="-mx-5 -my-5" columns={[{ label: t('team.member') }, { label: t('team.role') }, { label: t('team.joined'), hiddenBelow: 'sm' }, { label: t('common.actions'), srOnly: true }]}>
          {members.map((m) => (
            <tr key={m.userId}>
              <td className="px-5 py-3">
                <p className="font-medium">
                  {m.name} {m.userId === me.id && <Badge>{t('team.you')}</Badge>}
                </p>
                <p className="text-zinc-500">{m.email}</p>
              </td>
              <td className="px-5 py-3">
                {editable(m) ? (
                  <div className="flex items-center gap-2">
                    <SelectField
                      hideLabel
                      label={t('team.roleFor', { name: m.name })}
                      value={m.role}
                      disabled={changeRole.isPending}
                      onChange={(e) => changeRole.mutate({ userId: m.userId, role: e.target.value as Role })}
                    >
                      {assignable(myRole).map((r) => (
                        <option key={r} value={r}>
                          {t(`role.${r}`)}
                        </option>
                      ))}
                    </SelectField>
                    {changeRole.isPending && changeRole.variables?.userId === m.userId && <Spinner className="size-4" />}
                  </div>
                ) : (
                  <Badge tone={m.role === 'owner' ? 'indigo' : 'zinc'}>{t(`role.${m.role}`)}</Badge>
                )}
              </td>
              <td className="hidden px-5 py-3 text-zinc-500 sm:table-cell">{formatDate(m.joinedAt, locale)}</td>
              <td className="px-5 py-3 text-right">
                {editable(m) && (
                  <Button variant="ghost" size="sm" onClick={() => setRemoving(m)} aria-label={t('team.removeNamed', { name: m.name })}>
                    {t('team.remove')}
                  </Button>
                )}
              </td>
            </tr>
          ))}
        </DataTable>
      )}
      <ConfirmDialog
        open={!!removing}
        onClose={() => setRemoving(null)}
        onConfirm={() => removing && remove.mutate(removing.userId)}
        pending={remove.isPending}
        title={t('team.removeTitle')}
        description={t('team.removeBody', { name: removing?.name ?? '' })}
        confirmLabel={t('team.remove')}
      />
    </Card>
  );
}

function InvitationsCard({ orgId }: { orgId: string }) {
  const t = useT();
  const locale = useLocale();
  const toast = useToast();
  const errorMessage = useErrorMessage();
  const queryClient = useQueryClient();
  const invitations = useQuery(invitationsQuery(orgId));
  const [revoking, setRevoking] = useState<Invitation | null>(null);
  const revoke = useMutation({
    mutationFn: (id: string) => api(`/api/v1/organizations/${orgId}/invitations/${id}`, { method: 'DELETE', orgId }),
    onSuccess: () => {
      toast.success(t('team.revoked'));
      setRevoking(null);
    },
    onSettled: () => queryClient.invalidateQueries({ queryKey: queryKeys.invitations.list(orgId) }),
  });
  return (
    <Card title={t('team.pending')}>
      {invitations.isPending ? (
        <div role="status" className="flex justify-center py-4 text-zinc-400">
          <Spinner />
          <span className="sr-only">{t('common.loading')}</span>
        </div>
      ) : invitations.isError ? (
        <ErrorState message={errorMessage(invitations.error)} onRetry={() => void invitations.refetch()} />
      ) : invitations.data.length === 0 ? (
        <EmptyState title={t('team.noPending')} description={t('team.noPendingDesc')} />
      ) : (
        <ul className="-my-3 divide-y divide-zinc-100 dark:divide-zinc-800" aria-label={t('team.pending')}>
          {invitations.data.map((inv) => (
            <li key={inv.id} className="flex flex-wrap items-center gap-3 py-3">
              <div className="min-w-0 flex-1">
                <p className="truncate text-sm font-medium">{inv.email}</p>
                <p className="text-xs text-zinc-500">{t('team.expires', { date: formatDate(inv.expiresAt, locale) })}</p>
              </div>
              <Badge>{t(`role.${inv.role}`)}</Badge>
              <Button variant="ghost" size="sm" onClick={() => setRevoking(inv)} aria-label={t('team.revokeNamed', { email: inv.email })}>
                {t('team.revoke')}
              </Button>
            </li>
          ))}
        </ul>
      )}
      <ConfirmDialog
        open={!!revoking}
        onClose={() => setRevoking(null)}
        onConfirm={() => revoking && revoke.mutate(revoking.id)}
        pending={revoke.isPending}
        title={t('team.revokeTitle')}
        description={t('team.revokeBody', { email: revoking?.email ?? '' })}
        confirmLabel={t('team.revoke')}
      />
    </Card>
  );
}
