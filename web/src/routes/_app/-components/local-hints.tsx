import { Alert } from '../../../components/ui';
import { ApiError } from '../../../lib/api';
import { useT } from '../../../lib/i18n';

/**
 * The server refuses URLs on loopback or private networks (SSRF); its message says so, and this
 * says how to allow them while developing on one's own machine.
 */
export function isPrivateUrlRefusal(error: unknown): boolean {
  if (!(error instanceof ApiError)) return false;
  const text = [error.message, ...error.fieldErrors.map((f) => f.message)].join(' ');
  return /private|loopback|link-local|internal|local address|ALLOW_PRIVATE_URLS/i.test(text);
}

export function PrivateUrlHint({ error, target = 'import' }: { error: unknown; target?: 'import' | 'webhook' }) {
  const t = useT();
  if (!isPrivateUrlRefusal(error)) return null;
  return <Alert tone="info">{t(target === 'webhook' ? 'local.webhookUrlHint' : 'local.privateUrlHint')}</Alert>;
}

/** Whether platforms could deliver to this URL: https on a name that is not this machine or a private network. */
export function isPublicHttps(raw: string): boolean {
  try {
    const url = new URL(raw);
    if (url.protocol !== 'https:') return false;
    const host = url.hostname.replace(/^\[|\]$/g, '');
    return !/^(localhost|.*\.localhost|127\.\d+\.\d+\.\d+|10\.\d+\.\d+\.\d+|192\.168\.\d+\.\d+|172\.(1[6-9]|2\d|3[01])\.\d+\.\d+|::1|0\.0\.0\.0|.*\.local)$/i.test(host);
  } catch {
    return false;
  }
}

/** Channels page: Meta and Telegram cannot reach a local http server; say how to give it a public https address. */
export function PublicUrlNotice({ webhookUrl, className }: { webhookUrl: string; className?: string }) {
  const t = useT();
  if (isPublicHttps(webhookUrl)) return null;
  const origin = (() => {
    try {
      return new URL(webhookUrl).origin;
    } catch {
      return window.location.origin;
    }
  })();
  return (
    <div className={className}>
      <Alert tone="warning">
        <p className="font-medium">{t('local.publicUrlTitle')}</p>
        <p className="mt-1">{t('local.publicUrlBody', { url: origin, local: origin })}</p>
      </Alert>
    </div>
  );
}
