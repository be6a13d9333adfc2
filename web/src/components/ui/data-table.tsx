import { type ReactNode } from 'react';
import { cx } from './cx';

const HIDDEN_BELOW = { sm: 'hidden sm:table-cell', md: 'hidden md:table-cell', lg: 'hidden lg:table-cell' } as const;

export interface Column {
  label: ReactNode;
  /** Hide the column on screens narrower than this breakpoint. */
  hiddenBelow?: keyof typeof HIDDEN_BELOW;
  /** A heading only screen readers need (an actions column). */
  srOnly?: boolean;
}

/** The dashboard's list table: headings from `columns`, rows as children (`<tr>`s). */
export function DataTable({ columns, children, className }: { columns: Column[]; children: ReactNode; className?: string }) {
  return (
    <div className={cx('overflow-x-auto', className)}>
      <table className="w-full text-left text-sm">
        <thead className="border-b border-zinc-100 text-xs text-zinc-500 uppercase dark:border-zinc-800">
          <tr>
            {columns.map((column, i) => (
              <th key={i} scope="col" className={cx('px-5 py-3', !column.srOnly && 'font-medium', column.hiddenBelow && HIDDEN_BELOW[column.hiddenBelow])}>
                {column.srOnly ? <span className="sr-only">{column.label}</span> : column.label}
              </th>
            ))}
          </tr>
        </thead>
        <tbody className="divide-y divide-zinc-100 dark:divide-zinc-800">{children}</tbody>
      </table>
    </div>
  );
}
