/** UI text of the first steps: the sample shop and the hints for trying things locally (Spanish must have every key). */
export const en = {
  'sample.title': 'Try it with a sample shop',
  'sample.desc': 'A flower shop with its hours, shipping, returns and FAQ, a deployed chatbot that answers from them and a shop page with the widget. Ready in a few seconds; delete it whenever you like.',
  'sample.create': 'Try it with a sample shop',
  'sample.creating': 'Creating the sample shop…',
  'sample.created': 'The sample shop is ready',
  'sample.preparing': 'Preparing the documents ({ready} of {total} ready)…',
  'sample.ready': 'Ready: open the shop page and ask the chat, for example “{question}”.',
  'sample.openPage': 'Open the shop page',
  'sample.openBot': 'See the chatbot',

  'local.privateUrlHint': 'Trying it on your own machine? Addresses on this computer or your private network are refused so that nobody can point the server at them. For local development only, start the server with ALLOW_PRIVATE_URLS=true (for example `ALLOW_PRIVATE_URLS=true npm run dev`).',
  'local.webhookUrlHint': 'Testing with a receiver on your own machine? Addresses on this computer or your private network are refused so that nobody can point the server at them. For local development only, start the server with WEBHOOKS_ALLOW_LOOPBACK=true (a receiver on localhost, http allowed) or ALLOW_PRIVATE_URLS=true, or expose the receiver with a tunnel such as `cloudflared tunnel --url http://localhost:3000`.',
  'local.publicUrlTitle': 'Messaging platforms need a public https address',
  'local.publicUrlBody': 'Meta (WhatsApp, Messenger, Instagram) and Telegram only deliver messages to a public https URL, and this server is at {url}. To try a channel from your machine, open a tunnel, for example `cloudflared tunnel --url {local}`, then restart the server with APP_URL set to the https address it prints (`APP_URL=https://….trycloudflare.com npm run dev`) and connect the channel again.',
} as const;

export const es: Record<keyof typeof en, string> = {
  'sample.title': 'Pruébalo con una tienda de ejemplo',
  'sample.desc': 'Una floristería con su horario, envíos, devoluciones y preguntas frecuentes, un chatbot desplegado que responde con ellos y una página de la tienda con el widget. Listo en unos segundos; bórralo cuando quieras.',
  'sample.create': 'Probar con una tienda de ejemplo',
  'sample.creating': 'Creando la tienda de ejemplo…',
  'sample.created': 'La tienda de ejemplo está lista',
  'sample.preparing': 'Preparando los documentos ({ready} de {total} listos)…',
  'sample.ready': 'Listo: abre la página de la tienda y pregunta en el chat, por ejemplo «{question}».',
  'sample.openPage': 'Abrir la página de la tienda',
  'sample.openBot': 'Ver el chatbot',

  'local.privateUrlHint': '¿Lo pruebas en tu ordenador? Las direcciones de este equipo o de tu red privada se rechazan para que nadie pueda dirigir el servidor hacia ellas. Solo para desarrollo local, arranca el servidor con ALLOW_PRIVATE_URLS=true (por ejemplo `ALLOW_PRIVATE_URLS=true npm run dev`).',
  'local.webhookUrlHint': '¿Pruebas con un receptor en tu ordenador? Las direcciones de este equipo o de tu red privada se rechazan para que nadie pueda dirigir el servidor hacia ellas. Solo para desarrollo local, arranca el servidor con WEBHOOKS_ALLOW_LOOPBACK=true (un receptor en localhost, con http) o ALLOW_PRIVATE_URLS=true, o publica el receptor con un túnel como `cloudflared tunnel --url http://localhost:3000`.',
  'local.publicUrlTitle': 'Las plataformas de mensajería necesitan una dirección https pública',
  'local.publicUrlBody': 'Meta (WhatsApp, Messenger, Instagram) y Telegram solo entregan mensajes a una URL https pública, y este servidor está en {url}. Para probar un canal desde tu equipo, abre un túnel, por ejemplo `cloudflared tunnel --url {local}`, reinicia el servidor con APP_URL igual a la dirección https que muestra (`APP_URL=https://….trycloudflare.com npm run dev`) y vuelve a conectar el canal.',
};
