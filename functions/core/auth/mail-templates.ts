import type { MailMessage } from '../../ports';

type Locale = 'es' | 'en';

const copy = {
  verify: {
    es: { subject: 'Confirma tu correo en VersaAI', body: 'Hola {name}:\n\nConfirma tu correo abriendo este enlace (caduca en 48 horas):\n{link}\n\nSi no creaste una cuenta, ignora este mensaje.' },
    en: { subject: 'Confirm your email for VersaAI', body: 'Hi {name},\n\nConfirm your email by opening this link (it expires in 48 hours):\n{link}\n\nIf you did not create an account, ignore this message.' },
  },
  reset: {
    es: { subject: 'Restablece tu contraseña de VersaAI', body: 'Hola {name}:\n\nPara elegir una nueva contraseña abre este enlace (caduca en 1 hora):\n{link}\n\nSi no lo pediste, ignora este mensaje: tu contraseña no cambia.' },
    en: { subject: 'Reset your VersaAI password', body: 'Hi {name},\n\nTo choose a new password open this link (it expires in 1 hour):\n{link}\n\nIf you did not ask for this, ignore this message: your password stays the same.' },
  },
  invite: {
    es: { subject: '{inviter} te invita a {org} en VersaAI', body: 'Hola:\n\n{inviter} te invita a unirte a {org} en VersaAI como {role}.\nAcepta la invitación aquí (caduca en 7 días):\n{link}' },
    en: { subject: '{inviter} invited you to {org} on VersaAI', body: 'Hi,\n\n{inviter} invited you to join {org} on VersaAI as {role}.\nAccept the invitation here (it expires in 7 days):\n{link}' },
  },
  webhookDisabled: {
    es: { subject: 'Webhook desactivado: {name}', body: 'Hola:\n\nHemos desactivado el webhook «{name}» ({url}) porque {failures} entregas seguidas fallaron.\nÚltimo error: {error}\n\nCuando el receptor funcione, vuelve a activarlo y reenvía las entregas fallidas desde su registro:\n{link}' },
    en: { subject: 'Webhook disabled: {name}', body: 'Hi,\n\nWe disabled the webhook "{name}" ({url}) because {failures} deliveries in a row failed.\nLast error: {error}\n\nOnce the receiver works, turn it back on and resend the failed deliveries from its log:\n{link}' },
  },
} as const;

function fill(template: string, values: Record<string, string>): string {
  return template.replace(/\{(\w+)\}/g, (_, key: string) => values[key] ?? '');
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

export function renderMail(kind: keyof typeof copy, locale: string, to: string, values: Record<string, string>): MailMessage {
  const lang: Locale = locale === 'en' ? 'en' : 'es';
  const text = fill(copy[kind][lang].body, values);
  const html = `<div style="font-family:system-ui,sans-serif;line-height:1.5">${escapeHtml(text)
    .replace(/\n/g, '<br>')
    .replace(escapeHtml(values.link ?? ''), `<a href="${escapeHtml(values.link ?? '')}">${escapeHtml(values.link ?? '')}</a>`)}</div>`;
  return { to, subject: fill(copy[kind][lang].subject, values), text, html };
}
