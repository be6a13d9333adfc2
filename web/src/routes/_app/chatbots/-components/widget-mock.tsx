import { cx } from '../../../../components/ui';
import { useT } from '../../../../lib/i18n';
import type { WidgetLook } from '../../../../lib/queries';

/** Black or white text, whichever reads better on the brand colour (WCAG relative luminance). */
export function readableOn(hex: string) {
  const m = /^#?([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(hex);
  if (!m) return '#fff';
  const [r, g, b] = m.slice(1).map((h) => {
    const c = parseInt(h, 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r + 0.7152 * g + 0.0722 * b > 0.4 ? '#18181b' : '#fff';
}

/**
 * A static picture of the widget with the given look: what a visitor sees, drawn by the
 * dashboard itself, for unsaved changes and for bots the real widget will not render yet.
 */
export function WidgetMock({
  look,
  botName,
  welcome,
  className,
  open = true,
}: {
  look: WidgetLook;
  botName: string;
  welcome?: string | null;
  className?: string;
  open?: boolean;
}) {
  const t = useT();
  const color = look.primaryColor && /^#[0-9a-f]{6}$/i.test(look.primaryColor) ? look.primaryColor : '#4f46e5';
  const fg = readableOn(color);
  const left = look.position === 'bottom-left';
  const dark = look.theme === 'dark';
  const title = look.title?.trim() || botName;
  return (
    <div
      role="img"
      aria-label={t('bots.mock.label', { title, position: t(`bots.widget.position.${left ? 'bottom-left' : 'bottom-right'}`) })}
      className={cx(
        'relative overflow-hidden rounded-xl bg-[linear-gradient(135deg,#f4f4f5_25%,transparent_25%,transparent_50%,#f4f4f5_50%,#f4f4f5_75%,transparent_75%)] bg-[length:16px_16px] ring-1 ring-zinc-200 dark:bg-zinc-800/40 dark:ring-zinc-800',
        className,
      )}
    >
      {open && (
        <div
          className={cx(
            'absolute bottom-16 flex w-[min(15rem,calc(100%-1.5rem))] flex-col overflow-hidden rounded-xl shadow-xl ring-1',
            left ? 'left-3' : 'right-3',
            dark ? 'bg-zinc-900 text-zinc-100 ring-zinc-700' : 'bg-white text-zinc-900 ring-zinc-200',
          )}
        >
          <div className="flex items-center gap-2 px-3 py-2.5" style={{ backgroundColor: color, color: fg }}>
            {look.avatarUrl ? (
              <img src={look.avatarUrl} alt="" className="size-6 rounded-full bg-white/30 object-cover" />
            ) : (
              <span className="flex size-6 items-center justify-center rounded-full bg-white/25 text-xs font-semibold" aria-hidden="true">
                {title.slice(0, 1).toUpperCase()}
              </span>
            )}
            <span className="truncate text-sm font-semibold">{title}</span>
          </div>
          <div className="space-y-2 p-3 text-xs">
            <p className={cx('max-w-[85%] rounded-lg rounded-tl-sm px-2.5 py-1.5', dark ? 'bg-zinc-800' : 'bg-zinc-100')}>
              {welcome?.trim() || t('bots.mock.welcome')}
            </p>
            <p className="ml-auto max-w-[75%] rounded-lg rounded-tr-sm px-2.5 py-1.5" style={{ backgroundColor: color, color: fg }}>
              {t('bots.mock.question')}
            </p>
          </div>
          <div className={cx('mx-3 mb-3 rounded-lg px-2.5 py-1.5 text-xs ring-1', dark ? 'text-zinc-400 ring-zinc-700' : 'text-zinc-400 ring-zinc-200')}>
            {t('bots.mock.input')}
          </div>
        </div>
      )}
      <div
        className={cx('absolute bottom-3 flex h-11 items-center gap-2 rounded-full px-3.5 shadow-lg', left ? 'left-3' : 'right-3')}
        style={{ backgroundColor: color, color: fg }}
      >
        <svg viewBox="0 0 24 24" className="size-5" fill="none" stroke="currentColor" strokeWidth="2" aria-hidden="true">
          <path strokeLinecap="round" strokeLinejoin="round" d="M8 10h8M8 14h5m-9 6l2.5-3H18a2 2 0 002-2V6a2 2 0 00-2-2H6a2 2 0 00-2 2v14z" />
        </svg>
        {look.launcherText?.trim() && <span className="text-sm font-medium">{look.launcherText.trim()}</span>}
      </div>
    </div>
  );
}
