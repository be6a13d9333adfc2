import { cx } from './cx';

/** A thin determinate progress bar; `value` is 0..1. */
export function ProgressBar({ value, label, tone = 'indigo', className }: { value: number; label: string; tone?: 'indigo' | 'green' | 'red'; className?: string }) {
  const pct = Math.round(Math.max(0, Math.min(1, value)) * 100);
  const tones = { indigo: 'bg-indigo-600 dark:bg-indigo-400', green: 'bg-emerald-500', red: 'bg-red-500' };
  return (
    <div
      role="progressbar"
      aria-label={label}
      aria-valuemin={0}
      aria-valuemax={100}
      aria-valuenow={pct}
      className={cx('h-1.5 w-full overflow-hidden rounded-full bg-zinc-200 dark:bg-zinc-800', className)}
    >
      <div className={cx('h-full rounded-full transition-[width] duration-300', tones[tone])} style={{ width: `${pct}%` }} />
    </div>
  );
}
