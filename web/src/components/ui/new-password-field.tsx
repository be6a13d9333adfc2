import { type InputHTMLAttributes } from 'react';
import { useT } from '../../lib/i18n';
import type { FieldProps } from './field';
import { TextField } from './text-field';

/** A new-password input with the server's length rule and its hint, used wherever one is chosen. */
export function NewPasswordField(props: Omit<FieldProps, 'hint'> & Omit<InputHTMLAttributes<HTMLInputElement>, 'type'>) {
  const t = useT();
  return <TextField type="password" autoComplete="new-password" minLength={10} required hint={t('auth.passwordHint')} {...props} />;
}
