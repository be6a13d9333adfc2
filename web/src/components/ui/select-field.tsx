import { useId, type SelectHTMLAttributes } from 'react';
import { cx } from './cx';
import { type FieldProps, inputClass } from './field';

export function SelectField({
  label,
  error,
  hint,
  className,
  children,
  hideLabel,
  ...rest
}: FieldProps & SelectHTMLAttributes<HTMLSelectElement> & { hideLabel?: boolean }) {
  const id = useId();
  return (
    <div className={className}>
      <label
        htmlFor={id}
        className={cx('mb-1.5 block text-sm font-medium text-zinc-700 dark:text-zinc-300', hideLabel && 'sr-only')}
      >
        {label}
      </label>
      <select
        id={id}
        {...rest}
        aria-invalid={error ? true : undefined}
        aria-describedby={error || hint ? `${id}-desc` : undefined}
        className={cx(inputClass, 'pr-8')}
      >
        {children}
      </select>
      {(error || hint) && (
        <p id={`${id}-desc`} className={cx('mt-1.5 text-xs', error ? 'text-red-600 dark:text-red-400' : 'text-zinc-500')}>
          {error || hint}
        </p>
      )}
    </div>
  );
}
