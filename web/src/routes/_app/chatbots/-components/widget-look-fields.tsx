/** The widget's look fields, shared by the create wizard and the Widget tab. */
import { useId, useState } from 'react';
import { cx } from '../../../../components/ui';
import { useT } from '../../../../lib/i18n';
import type { WidgetLook } from '../../../../lib/queries';

export const DEFAULT_COLOR = '#4f46e5';
export const HEX = /^#[0-9a-f]{6}$/i;
const SWATCHES = ['#4f46e5', '#2563eb', '#0891b2', '#059669', '#d97706', '#dc2626', '#db2777', '#18181b'];

export function ColorField({ value, onChange, error }: { value: string; onChange: (v: string) => void; error?: string }) {
  const t = useT();
  const id = useId();
  const [text, setText] = useState(value);
  // Follow outside changes (swatch, picker) while letting the text box hold half-typed values.
  if (HEX.test(text) && text.toLowerCase() !== value.toLowerCase()) setText(value);
  return (
    <div>
      <label htmlFor={id} className="mb-1.5 block text-sm font-medium text-zinc-700 dark:text-zinc-300">
        {t('bots.widget.color')}
      </label>
      <div className="flex items-center gap-2">
        <input
          type="color"
          value={HEX.test(value) ? value : DEFAULT_COLOR}
          onChange={(e) => {
            setText(e.target.value);
            onChange(e.target.value);
          }}
          aria-label={t('bots.widget.colorPicker')}
          className="h-9 w-11 shrink-0 cursor-pointer rounded-lg border-0 bg-transparent p-0.5 ring-1 ring-zinc-300 dark:ring-zinc-700"
        />
        <input
          id={id}
          value={text}
          onChange={(e) => {
            setText(e.target.value);
            if (HEX.test(e.target.value)) onChange(e.target.value);
          }}
          maxLength={7}
          spellCheck={false}
          aria-invalid={error || !HEX.test(text) ? true : undefined}
          aria-describedby={`${id}-desc`}
          className="block w-28 rounded-lg border-0 bg-white px-3 py-2 font-mono text-sm shadow-sm ring-1 ring-zinc-300 ring-inset focus:ring-2 focus:ring-indigo-600 focus:outline-none aria-[invalid=true]:ring-red-500 dark:bg-zinc-900 dark:ring-zinc-700"
        />
      </div>
      <div className="mt-2 flex flex-wrap gap-1.5" role="group" aria-label={t('bots.widget.swatches')}>
        {SWATCHES.map((c) => (
          <button
            key={c}
            type="button"
            onClick={() => {
              setText(c);
              onChange(c);
            }}
            aria-label={c}
            aria-pressed={value.toLowerCase() === c}
            className={cx(
              'size-6 rounded-full ring-offset-2 focus-visible:ring-2 focus-visible:ring-indigo-600 focus-visible:outline-none dark:ring-offset-zinc-900',
              value.toLowerCase() === c && 'ring-2 ring-zinc-900 dark:ring-zinc-100',
            )}
            style={{ backgroundColor: c }}
          />
        ))}
      </div>
      <p id={`${id}-desc`} className={cx('mt-1.5 text-xs', error || !HEX.test(text) ? 'text-red-600 dark:text-red-400' : 'text-zinc-500')}>
        {error || (!HEX.test(text) ? t('bots.widget.colorInvalid') : t('bots.widget.colorHint'))}
      </p>
    </div>
  );
}

export function PositionField({ value, onChange }: { value: NonNullable<WidgetLook['position']>; onChange: (v: NonNullable<WidgetLook['position']>) => void }) {
  const t = useT();
  return (
    <fieldset>
      <legend className="mb-1.5 text-sm font-medium text-zinc-700 dark:text-zinc-300">{t('bots.widget.position')}</legend>
      <div className="grid grid-cols-2 gap-2">
        {(['bottom-left', 'bottom-right'] as const).map((p) => (
          <label
            key={p}
            className={cx(
              'flex cursor-pointer flex-col gap-2 rounded-lg p-2 text-xs ring-1 has-focus-visible:ring-2 has-focus-visible:ring-indigo-600',
              value === p
                ? 'bg-indigo-50/60 ring-indigo-600 dark:bg-indigo-950/40'
                : 'ring-zinc-300 hover:bg-zinc-50 dark:ring-zinc-700 dark:hover:bg-zinc-800',
            )}
          >
            <input type="radio" name="widget-position" value={p} checked={value === p} onChange={() => onChange(p)} className="sr-only" />
            <span
              aria-hidden="true"
              className={cx('flex h-10 items-end rounded bg-zinc-100 p-1 dark:bg-zinc-800', p === 'bottom-right' ? 'justify-end' : 'justify-start')}
            >
              <span className="size-3 rounded-full bg-indigo-600" />
            </span>
            <span className="font-medium">{t(`bots.widget.position.${p}`)}</span>
          </label>
        ))}
      </div>
    </fieldset>
  );
}
