import type { MailMessage } from '../../ports';

/** The owners' mails when the month's bot answers reach 80% and 100% of the plan. */
const copy = {
  80: {
    es: {
      subject: '{org} ha usado el 80% de sus respuestas de este mes',
      body: 'Hola {name}:\n\nTus bots de {org} han dado {used} de las {limit} respuestas que incluye el plan {plan} este mes.\nAl llegar al límite, los mensajes nuevos pasarán a la bandeja de entrada para que los atienda una persona.\n\nPuedes mejorar el plan aquí:\n{link}',
    },
    en: {
      subject: '{org} has used 80% of this month\u2019s answers',
      body: 'Hi {name},\n\nYour bots in {org} have given {used} of the {limit} answers the {plan} plan includes this month.\nOnce the limit is reached, new messages go to the inbox for a person to answer.\n\nYou can upgrade here:\n{link}',
    },
  },
  100: {
    es: {
      subject: '{org} ha llegado al límite de respuestas de este mes',
      body: 'Hola {name}:\n\nTus bots de {org} han dado las {limit} respuestas que incluye el plan {plan} este mes.\nHasta que empiece el mes que viene, los visitantes reciben «te responderemos pronto» y sus conversaciones quedan en la bandeja de entrada.\n\nMejora el plan para que los bots sigan respondiendo:\n{link}',
    },
    en: {
      subject: '{org} has reached this month\u2019s answer limit',
      body: 'Hi {name},\n\nYour bots in {org} have given the {limit} answers the {plan} plan includes this month.\nUntil next month starts, visitors get "we will get back to you" and their conversations wait in the inbox.\n\nUpgrade so your bots keep answering:\n{link}',
    },
  },
} as const;

const fill = (template: string, values: Record<string, string>) => template.replace(/\{(\w+)\}/g, (_, key: string) => values[key] ?? '');

export function usageMail(threshold: 80 | 100, locale: string, to: string, values: Record<string, string>): MailMessage {
  const text = copy[threshold][locale === 'en' ? 'en' : 'es'];
  return { to, subject: fill(text.subject, values), text: fill(text.body, values) };
}
