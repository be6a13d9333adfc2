import { useQuery } from '@tanstack/react-query';
import { Link } from '@tanstack/react-router';
import { useState } from 'react';
import { Alert, Button, Card, CopyButton, Spinner } from '../../../../components/ui';
import { useLocale, useT } from '../../../../lib/i18n';
import type { Bot } from '../../../../lib/queries';
import { useBotMutations } from './shared';
import { WidgetMock } from './widget-mock';
import { queryKeys } from '../../../../lib/query-keys';

const escapeAttr = (s: string) => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');

export function scriptTag(botId: string, origin = window.location.origin) {
  return `<script src="${origin}/widget.js" data-bot-id="${escapeAttr(botId)}" async></script>`;
}

/** Whether the server has a widget bundle to load (it is built separately from the dashboard). */
function useWidgetBundle() {
  return useQuery({
    queryKey: queryKeys.chatbots.widgetBundle(),
    queryFn: async () => {
      const res = await fetch('/widget.js', { method: 'HEAD', cache: 'no-store' });
      const type = res.headers.get('Content-Type') ?? '';
      // The SPA fallback answers unknown paths with index.html; only JavaScript counts.
      return res.ok && /javascript|ecmascript/.test(type);
    },
    staleTime: 60_000,
    retry: false,
  });
}

export function InstallTab({ bot, canWrite }: { bot: Bot; canWrite: boolean }) {
  const t = useT();
  const tag = scriptTag(bot.id);
  const jsApi = `<script>
  // ${t('bots.install.apiOpen')}
  document.querySelector('#help-button')
    .addEventListener('click', () => window.VersaAI.open());

  // ${t('bots.install.apiInit')}
  const chat = window.VersaAI.init({ botId: '${bot.id}' });
  chat.on('message', (message) => console.log(message));

  // ${t('bots.install.apiIdentify')}
  window.VersaAI.identify({ id: user.id, name: user.name, email: user.email, hash });
</script>`;
  return (
    <div className="space-y-6">
      <Card title={t('bots.install.title')} description={t('bots.install.desc')}>
        <ol className="mb-5 list-decimal space-y-1.5 pl-5 text-sm text-zinc-700 marker:text-zinc-400 dark:text-zinc-300">
          <li>{t('bots.install.step1')}</li>
          <li>
            {t('bots.install.step2')}{' '}
            <Link
              to="/chatbots/$botId"
              params={{ botId: bot.id }}
              search={{ tab: 'widget' }}
              className="font-medium text-indigo-600 hover:underline dark:text-indigo-400"
            >
              {t('bots.install.step2Link')}
            </Link>
          </li>
          <li>{bot.status === 'active' ? t('bots.install.step3Done') : t('bots.install.step3')}</li>
        </ol>
        <div className="overflow-hidden rounded-lg bg-zinc-950">
          <div className="flex items-center justify-between gap-2 border-b border-zinc-800 px-4 py-2">
            <span className="text-xs font-medium text-zinc-400">HTML</span>
            <CopyButton value={tag} label={t('bots.install.copy')} />
          </div>
          <pre aria-label={t('bots.install.snippet')} className="p-4 font-mono text-xs leading-relaxed break-all whitespace-pre-wrap text-zinc-100">
            {tag}
          </pre>
        </div>
        {bot.status !== 'active' && (
          <div className="mt-4">
            <NotActive bot={bot} canWrite={canWrite} />
          </div>
        )}
      </Card>

      <LivePreview bot={bot} />

      <Card title={t('bots.install.apiTitle')} description={t('bots.install.apiDesc')}>
        <div className="relative">
          <pre className="overflow-x-auto rounded-lg bg-zinc-950 p-4 font-mono text-xs leading-relaxed text-zinc-100">{jsApi}</pre>
          <div className="absolute top-2 right-2">
            <CopyButton value={jsApi} />
          </div>
        </div>
        <dl className="mt-4 grid gap-x-6 gap-y-2 text-sm sm:grid-cols-2">
          {(['init', 'open', 'close', 'identify', 'sendMessage', 'on', 'destroy'] as const).map((fn) => (
            <div key={fn}>
              <dt className="font-mono text-xs font-semibold">VersaAI.{fn}()</dt>
              <dd className="text-zinc-600 dark:text-zinc-400">{t(`bots.install.fn.${fn}`)}</dd>
            </div>
          ))}
        </dl>
      </Card>
    </div>
  );
}

function NotActive({ bot, canWrite }: { bot: Bot; canWrite: boolean }) {
  const t = useT();
  const { deploy } = useBotMutations(bot);
  return (
    <Alert tone="warning">
      <div className="flex flex-wrap items-center gap-3">
        <span className="flex-1">{t(bot.status === 'inactive' ? 'bots.install.paused' : 'bots.install.notActive')}</span>
        {canWrite && bot.status !== 'archived' && (
          <Button size="sm" loading={deploy.isPending} onClick={() => deploy.mutate()}>
            {bot.status === 'inactive' ? t('bots.resume') : t('bots.deploy')}
          </Button>
        )}
      </div>
    </Alert>
  );
}

function LivePreview({ bot }: { bot: Bot }) {
  const t = useT();
  const locale = useLocale();
  const bundle = useWidgetBundle();
  const [reload, setReload] = useState(0);
  const origin = window.location.origin;
  const live = bot.status === 'active' && bundle.data === true;
  const originBlocked = (bot.allowedOrigins ?? []).length > 0 && !bot.allowedOrigins.includes(origin);
  const page = `<!doctype html><html lang="${locale}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<style>body{margin:0;padding:28px;font:14px/1.6 system-ui,sans-serif;color:#3f3f46;background:#fafafa}h1{font-size:20px;color:#18181b;margin:0 0 8px}.bar{height:10px;border-radius:6px;background:#e4e4e7;margin:10px 0}</style></head>
<body><h1>${escapeAttr(t('bots.install.samplePage'))}</h1><p>${escapeAttr(t('bots.install.samplePageText'))}</p><div class="bar" style="width:80%"></div><div class="bar" style="width:65%"></div><div class="bar" style="width:72%"></div>
${scriptTag(bot.id, origin)}</body></html>`;

  return (
    <Card
      title={t('bots.install.previewTitle')}
      description={live ? t('bots.install.previewLive') : t('bots.install.previewMock')}
      actions={
        live && (
          <Button variant="secondary" size="sm" onClick={() => setReload((n) => n + 1)}>
            {t('bots.install.reload')}
          </Button>
        )
      }
    >
      {bundle.isPending ? (
        <p role="status" className="flex h-96 items-center justify-center gap-2 text-sm text-zinc-500">
          <Spinner className="size-4" /> {t('common.loading')}
        </p>
      ) : live ? (
        <div className="space-y-3">
          {originBlocked && <Alert tone="warning">{t('bots.install.originBlocked', { origin })}</Alert>}
          <iframe
            key={`${reload}-${bot.updatedAt}`}
            title={t('bots.install.previewFrame', { name: bot.name })}
            srcDoc={page}
            className="h-[34rem] w-full rounded-xl bg-white ring-1 ring-zinc-200 dark:ring-zinc-800"
          />
        </div>
      ) : (
        <div className="space-y-3">
          <Alert>{bot.status !== 'active' ? t('bots.install.previewAfterDeploy') : t('bots.install.noBundle')}</Alert>
          <WidgetMock look={bot.widget ?? {}} botName={bot.name} welcome={bot.welcomeMessage} className="h-96" />
        </div>
      )}
    </Card>
  );
}
