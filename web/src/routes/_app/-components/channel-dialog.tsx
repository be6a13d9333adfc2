import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useToast } from '../../../components/toast';
import { Alert, Button, CopyButton, cx, Dialog, SelectField, TextField } from '../../../components/ui';
import { OWN_ERROR } from '../../../lib/mutation-errors';
import { ApiError, fieldErrorOf } from '../../../lib/api';
import { useErrorMessage, useT, type TFunction } from '../../../lib/i18n';
import type { MessageKey } from '../../../lib/messages';
import { botsQuery } from '../../../lib/queries';
import {
  connectIntegration,
  createIntegration,
  CREDENTIAL_FIELDS,
  GROUP_MODES,
  isMeta,
  pastesWebhookUrl,
  PLATFORMS,
  updateIntegration,
  type GroupMode,
  type Integration,
  type Platform,
} from '../../../lib/queries-channels';
import { useOrg } from '../../../lib/use-org';
import { queryKeys } from '../../../lib/query-keys';

/** A small brand-coloured mark for each platform (decorative: the name is always next to it). */
export function PlatformMark({ platform, className }: { platform: Platform; className?: string }) {
  const look: Record<Platform, [string, string]> = {
    whatsapp: ['WA', 'bg-emerald-500'],
    messenger: ['M', 'bg-blue-600'],
    instagram: ['IG', 'bg-gradient-to-br from-amber-400 via-pink-500 to-purple-600'],
    telegram: ['TG', 'bg-sky-500'],
    email: ['@', 'bg-zinc-600'],
    slack: ['SL', 'bg-purple-700'],
    discord: ['DC', 'bg-indigo-500'],
  };
  const [letters, colour] = look[platform];
  return (
    <span aria-hidden="true" className={cx('inline-flex size-9 shrink-0 items-center justify-center rounded-lg text-xs font-bold text-white', colour, className)}>
      {letters}
    </span>
  );
}

/** The platform's refusal (or absence) in the user's words; validation errors stay next to their fields. */
export function connectErrorMessage(t: TFunction, errorMessage: (e: unknown) => string, platform: Platform, error: unknown): string {
  const name = t(`channels.platform.${platform}`);
  if (error instanceof ApiError && error.code === 'service_unavailable') return t('channels.unreachable', { platform: name });
  const rejected = error instanceof ApiError ? error.fieldErrors.find((f) => f.path === 'credentials') : undefined;
  if (rejected) return t('channels.rejected', { platform: name, reason: rejected.message });
  return errorMessage(error);
}

/** Where to paste what: Meta needs the URL and verify token, Slack and Discord the URL; Telegram was set up by connect. */
export function WebhookSetup({ integration }: { integration: Integration }) {
  const t = useT();
  return (
    <div className="space-y-3">
      <CopyRow label={t('channels.webhookUrl')} value={integration.webhook.url} />
      {isMeta(integration.platform) &&
        (integration.webhook.verifyToken ? (
          <CopyRow label={t('channels.verifyToken')} value={integration.webhook.verifyToken} />
        ) : (
          <p className="text-xs text-zinc-500">
            {t('channels.verifyToken')}: {t('channels.verifyTokenHidden')}
          </p>
        ))}
      {integration.platform === 'email' && integration.inboxAddress && <CopyRow label={t('channels.email.inboxAddress')} value={integration.inboxAddress} />}
      <p className="text-xs text-zinc-500 dark:text-zinc-400">
        {integration.platform === 'telegram'
          ? t('channels.setupTelegram')
          : integration.platform === 'email'
            ? t('channels.email.setup')
            : t(`channels.setupMeta.${integration.platform}`)}
      </p>
    </div>
  );
}

/** Done text per platform: what connecting did and what is left to paste. */
function doneMessage(t: TFunction, platform: Platform) {
  if (isMeta(platform)) return t('channels.dialog.doneMeta');
  if (platform === 'slack') return t('channels.dialog.doneSlack');
  if (platform === 'discord') return t('channels.dialog.doneDiscord');
  if (platform === 'email') return t('channels.dialog.doneEmail');
  return t('channels.dialog.doneTelegram');
}

/** Discord's channel list as typed (commas or spaces) to the ids the API takes. */
const channelIds = (text: string) => text.split(/[\s,]+/).map((id) => id.trim()).filter(Boolean);

function CopyRow({ label, value }: { label: string; value: string }) {
  return (
    <div className="flex items-end gap-2">
      <TextField className="min-w-0 flex-1" label={label} value={value} readOnly onFocus={(e) => e.currentTarget.select()} />
      <CopyButton value={value} label={undefined} />
    </div>
  );
}

const fieldLabel = (t: TFunction, field: string) => t(`channels.field.${field}` as MessageKey);
const fieldHint = (t: TFunction, platform: Platform, field: string) => t(`channels.hint.${platform}.${field}` as MessageKey);

/**
 * Create-and-connect (or edit-and-reconnect): pick the platform, name the channel, choose the bot,
 * type the credentials. The platform checks them on connect; on success the dialog shows what to
 * paste in Meta's settings (Telegram needs nothing).
 */
export function ChannelDialog({ open, onClose, editing }: { open: boolean; onClose: () => void; editing: Integration | null }) {
  const t = useT();
  const org = useOrg();
  const toast = useToast();
  const errorMessage = useErrorMessage();
  const queryClient = useQueryClient();
  const bots = useQuery(botsQuery(org.id));
  const [platform, setPlatform] = useState<Platform>(editing?.platform ?? 'whatsapp');
  const [name, setName] = useState(editing?.name ?? '');
  const [botId, setBotId] = useState(editing?.botId ?? '');
  const [groups, setGroups] = useState<GroupMode>(editing?.settings.groups ?? 'mentions');
  const [discordChannels, setDiscordChannels] = useState((editing?.settings.discord?.channels ?? []).join(', '));
  const [discordDms, setDiscordDms] = useState(editing?.settings.discord?.dms ?? true);
  const [notifyChannel, setNotifyChannel] = useState(editing?.settings.handoffNotify?.channelId ?? '');
  const [notifyWebhook, setNotifyWebhook] = useState('');
  const [values, setValues] = useState<Record<string, string>>({});
  // Created on the first try: a refused connect keeps it, and the next try updates it instead.
  const [created, setCreated] = useState<Integration | null>(null);
  const [done, setDone] = useState<Integration | null>(null);
  const target = editing ?? created;
  const availableBots = (bots.data ?? []).filter((b) => b.status !== 'archived');
  const chosenBot = botId || availableBots[0]?.id || '';

  const save = useMutation({
    meta: OWN_ERROR,
    mutationFn: async () => {
      const credentials = Object.fromEntries(Object.entries(values).map(([k, v]) => [k, v.trim()]).filter(([, v]) => v));
      const settings = settingsFor(platform, { groups, discordChannels, discordDms, notifyChannel, notifyWebhook });
      let id = target?.id;
      if (!id) {
        const row = await createIntegration(org.id, { platform, name: name.trim(), botId: chosenBot, credentials, ...settings });
        setCreated(row);
        id = row.id;
      } else {
        await updateIntegration(org.id, id, { name: name.trim(), botId: chosenBot, ...settings, ...(Object.keys(credentials).length > 0 ? { credentials } : {}) });
      }
      return connectIntegration(org.id, id);
    },
    onSuccess: (row) => {
      setDone(row);
      setValues({});
      toast.success(t('channels.connectedToast', { name: row.name }));
    },
    onSettled: () => queryClient.invalidateQueries({ queryKey: queryKeys.integrations.all(org.id) }),
  });

  const title = done ? t('channels.dialog.doneTitle', { name: done.name }) : editing ? t('channels.dialog.editTitle', { name: editing.name }) : t('channels.dialog.title');
  const generalError = save.error && !CREDENTIAL_FIELDS[platform].some((f) => fieldErrorOf(save.error, `credentials.${f.name}`)) ? connectErrorMessage(t, errorMessage, platform, save.error) : null;

  return (
    <Dialog open={open} onClose={onClose} title={title} size="lg">
      {done ? (
        <div className="space-y-4">
          <Alert tone="success">{doneMessage(t, done.platform)}</Alert>
          {pastesWebhookUrl(done.platform) && <WebhookSetup integration={done} />}
          <div className="flex justify-end">
            <Button onClick={onClose}>{t('common.done')}</Button>
          </div>
        </div>
      ) : (
        <form
          className="space-y-5"
          autoComplete="off"
          onSubmit={(e) => {
            e.preventDefault();
            save.mutate();
          }}
        >
          {!target && (
            <fieldset>
              <legend className="mb-2 text-sm font-medium text-zinc-700 dark:text-zinc-300">{t('channels.dialog.platform')}</legend>
              <div className="grid gap-2 sm:grid-cols-2">
                {PLATFORMS.map((p) => (
                  <label
                    key={p}
                    className={cx(
                      'flex cursor-pointer items-center gap-3 rounded-lg p-3 ring-1 transition-colors',
                      p === platform ? 'bg-indigo-50 ring-2 ring-indigo-600 dark:bg-indigo-950/40' : 'ring-zinc-200 hover:bg-zinc-50 dark:ring-zinc-700 dark:hover:bg-zinc-800',
                    )}
                  >
                    <input
                      type="radio"
                      name="platform"
                      value={p}
                      checked={p === platform}
                      onChange={() => {
                        setPlatform(p);
                        setValues({});
                        save.reset();
                      }}
                      className="sr-only"
                    />
                    <PlatformMark platform={p} />
                    <span className="min-w-0">
                      <span className="block text-sm font-medium">{t(`channels.platform.${p}`)}</span>
                      <span className="block text-xs text-zinc-500 dark:text-zinc-400">{t(`channels.platformDesc.${p}`)}</span>
                    </span>
                  </label>
                ))}
              </div>
            </fieldset>
          )}

          <div className="grid gap-4 sm:grid-cols-2">
            <TextField
              label={t('channels.dialog.name')}
              value={name}
              onChange={(e) => setName(e.target.value)}
              placeholder={t('channels.dialog.namePlaceholder')}
              required
              maxLength={200}
              error={fieldErrorOf(save.error, 'name')}
            />
            <SelectField
              label={t('channels.dialog.bot')}
              value={chosenBot}
              onChange={(e) => setBotId(e.target.value)}
              required
              error={fieldErrorOf(save.error, 'botId') ?? (bots.isSuccess && availableBots.length === 0 ? t('channels.dialog.noBots') : undefined)}
            >
              {availableBots.map((b) => (
                <option key={b.id} value={b.id}>
                  {b.name}
                </option>
              ))}
            </SelectField>
          </div>

          <fieldset className="space-y-4">
            <legend className="text-sm font-medium text-zinc-700 dark:text-zinc-300">{t('channels.dialog.credentials')}</legend>
            <p className="text-xs text-zinc-500 dark:text-zinc-400">{t('channels.dialog.secretsNote')}</p>
            {CREDENTIAL_FIELDS[platform].map((field) => {
              const stored = target?.credentials.fields.includes(field.name);
              return (
                <TextField
                  key={`${platform}-${field.name}`}
                  label={fieldLabel(t, field.name)}
                  type={field.secret ? 'password' : 'text'}
                  autoComplete="off"
                  spellCheck={false}
                  value={values[field.name] ?? ''}
                  onChange={(e) => setValues((v) => ({ ...v, [field.name]: e.target.value }))}
                  required={!field.optional && !stored}
                  hint={stored ? t('channels.dialog.keepStored') : fieldHint(t, platform, field.name)}
                  error={fieldErrorOf(save.error, `credentials.${field.name}`)}
                />
              );
            })}
          </fieldset>

          {platform === 'telegram' && (
            <SelectField label={t('channels.dialog.groups')} value={groups} onChange={(e) => setGroups(e.target.value as GroupMode)}>
              {GROUP_MODES.map((mode) => (
                <option key={mode} value={mode}>
                  {t(`channels.groups.${mode}`)}
                </option>
              ))}
            </SelectField>
          )}

          {platform === 'discord' && (
            <div className="space-y-3">
              <TextField
                label={t('channels.discord.channels')}
                value={discordChannels}
                onChange={(e) => setDiscordChannels(e.target.value)}
                hint={t('channels.discord.channelsHint')}
                spellCheck={false}
                error={fieldErrorOf(save.error, 'settings.discord.channels')}
              />
              <label className="flex items-center gap-2 text-sm">
                <input type="checkbox" checked={discordDms} onChange={(e) => setDiscordDms(e.target.checked)} />
                {t('channels.discord.dms')}
              </label>
            </div>
          )}

          {platform === 'slack' && (
            <div className="grid gap-4 sm:grid-cols-2">
              <TextField
                label={t('channels.slack.notifyChannel')}
                value={notifyChannel}
                onChange={(e) => setNotifyChannel(e.target.value)}
                hint={t('channels.slack.notifyChannelHint')}
                spellCheck={false}
                error={fieldErrorOf(save.error, 'settings.handoffNotify.channelId')}
              />
              <TextField
                label={t('channels.slack.notifyWebhook')}
                type="password"
                autoComplete="off"
                value={notifyWebhook}
                onChange={(e) => setNotifyWebhook(e.target.value)}
                hint={t('channels.slack.notifyWebhookHint')}
                error={fieldErrorOf(save.error, 'settings.handoffNotify.webhookUrl')}
              />
            </div>
          )}

          {generalError && <Alert tone="error">{generalError}</Alert>}

          <div className="flex justify-end gap-2">
            <Button variant="secondary" onClick={onClose}>
              {t('common.cancel')}
            </Button>
            <Button type="submit" loading={save.isPending} disabled={!chosenBot}>
              {t('channels.dialog.submit')}
            </Button>
          </div>
        </form>
      )}
    </Dialog>
  );
}

interface SettingsDraft {
  groups: GroupMode;
  discordChannels: string;
  discordDms: boolean;
  notifyChannel: string;
  notifyWebhook: string;
}

/** The settings a platform has; an empty webhook field keeps the stored URL. */
function settingsFor(platform: Platform, draft: SettingsDraft) {
  if (platform === 'telegram') return { settings: { groups: draft.groups } };
  if (platform === 'discord') return { settings: { discord: { channels: channelIds(draft.discordChannels), dms: draft.discordDms } } };
  if (platform === 'slack') {
    const channelId = draft.notifyChannel.trim() || null;
    const webhookUrl = draft.notifyWebhook.trim();
    return { settings: { handoffNotify: { channelId, ...(webhookUrl ? { webhookUrl } : {}) } } };
  }
  return {};
}
