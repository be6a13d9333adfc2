/** UI text of the email channel (Spanish must have every key). */
export const en = {
  'channels.platform.email': 'Email',
  'channels.platformDesc.email': 'An inbox address customers write to',
  'channels.field.signingKey': 'Mailgun webhook signing key',
  'channels.hint.email.signingKey': 'Mailgun > Sending > Webhooks > HTTP webhook signing key. Leave it empty if you use Cloudflare Email Routing.',
  'channels.email.inboxAddress': 'Inbox address',
  'channels.email.setup':
    'Customers write to this address. With Mailgun, create an inbound route for it that forwards to the webhook URL. With Cloudflare Email Routing, send the inbound domain to the VersaAI ingestion worker. Replies go out from this address, in the customer’s thread.',
  'channels.dialog.doneEmail': 'This channel now receives mail. Send a message to the inbox address to try it.',
  'inbox.channel.email': 'Email',
  'analytics.channel.email': 'Email',
};

export const es: Record<keyof typeof en, string> = {
  'channels.platform.email': 'Correo electrónico',
  'channels.platformDesc.email': 'Una dirección de bandeja a la que escriben tus clientes',
  'channels.field.signingKey': 'Clave de firma de webhooks de Mailgun',
  'channels.hint.email.signingKey': 'Mailgun > Sending > Webhooks > HTTP webhook signing key. Déjala vacía si usas Cloudflare Email Routing.',
  'channels.email.inboxAddress': 'Dirección de la bandeja',
  'channels.email.setup':
    'Tus clientes escriben a esta dirección. Con Mailgun, crea una ruta de entrada para ella que reenvíe a la URL del webhook. Con Cloudflare Email Routing, envía el dominio de entrada al worker de ingesta de VersaAI. Las respuestas salen desde esta dirección, en el hilo del cliente.',
  'channels.dialog.doneEmail': 'Este canal ya recibe correo. Envía un mensaje a la dirección de la bandeja para probarlo.',
  'inbox.channel.email': 'Correo electrónico',
  'analytics.channel.email': 'Correo electrónico',
};
