import { type ReactNode } from 'react';
import { cx } from './cx';

export function Card({
  title,
  description,
  actions,
  children,
  className,
  danger,
}: {
  title?: ReactNode;
  description?: ReactNode;
  actions?: ReactNode;
  children?: ReactNode;
  className?: string;
  danger?: boolean;
}) {
  return (
    <section
      className={cx(
        'rounded-xl bg-white shadow-sm ring-1 dark:bg-zinc-900',
        danger ? 'ring-red-200 dark:ring-red-900/60' : 'ring-zinc-200 dark:ring-zinc-800',
        className,
      )}
    >
      {(title || actions) && (
        <header className="flex flex-wrap items-start justify-between gap-3 border-b border-zinc-100 px-5 py-4 dark:border-zinc-800">
          <div>
            {title && <h2 className="text-base font-semibold">{title}</h2>}
            {description && <p className="mt-0.5 text-sm text-zinc-500 dark:text-zinc-400">{description}</p>}
          </div>
          {actions}
        </header>
      )}
      <div className="p-5">{children}</div>
    </section>
  );
}
