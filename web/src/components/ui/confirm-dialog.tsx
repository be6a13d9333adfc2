import { useEffect, useState, type ReactNode } from 'react';
import { useT } from '../../lib/i18n';
import { Button } from './button';
import { Dialog } from './dialog';
import { TextField } from './text-field';

export function ConfirmDialog({
  open,
  onClose,
  onConfirm,
  title,
  description,
  confirmLabel,
  pending,
  typedConfirmation,
  children,
}: {
  open: boolean;
  onClose: () => void;
  onConfirm: () => void;
  title: string;
  description: ReactNode;
  confirmLabel: string;
  pending?: boolean;
  /** When set, the user must type this text before the button enables (irreversible actions). */
  typedConfirmation?: string;
  children?: ReactNode;
}) {
  const t = useT();
  const [typed, setTyped] = useState('');
  useEffect(() => {
    if (!open) setTyped('');
  }, [open]);
  const blocked = typedConfirmation !== undefined && typed.trim() !== typedConfirmation;
  return (
    <Dialog open={open} onClose={onClose} title={title}>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (!blocked) onConfirm();
        }}
      >
        <div className="text-sm text-zinc-600 dark:text-zinc-400">{description}</div>
        {typedConfirmation !== undefined && (
          <TextField
            className="mt-4"
            label={t('common.typeToConfirm', { text: typedConfirmation })}
            value={typed}
            onChange={(e) => setTyped(e.target.value)}
            autoComplete="off"
            autoFocus
          />
        )}
        {children}
        <div className="mt-6 flex justify-end gap-2">
          <Button variant="secondary" onClick={onClose} autoFocus={typedConfirmation === undefined}>
            {t('common.cancel')}
          </Button>
          <Button type="submit" variant="danger" loading={pending} disabled={blocked}>
            {confirmLabel}
          </Button>
        </div>
      </form>
    </Dialog>
  );
}
