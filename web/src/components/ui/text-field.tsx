import { useId, type InputHTMLAttributes } from 'react';
import { cx } from './cx';
import { type FieldProps, inputClass } from './field';

export function TextField({ label, error, hint, className, ...rest }: FieldProps & InputHTMLAttributes<HTMLInputElement>) {
  const id = useId();
  return (
    <div className={className}>
      <label htmlFor={id} className="mb-1.5 block text-sm font-medium text-zinc-700 dark:text-zinc-300">
        {label}
      </label>
      <input
        id={id}
        {...rest}
        aria-invalid={error ? true : undefined}
        aria-describedby={error || hint ? `${id}-desc` : undefined}
        className={inputClass}
      />
      {(error || hint) && (
        <p id={`${id}-desc`} className={cx('mt-1.5 text-xs', error ? 'text-red-600 dark:text-red-400' : 'text-zinc-500')}>
          {error || hint}
        </p>
      )}
    </div>
  );
}
