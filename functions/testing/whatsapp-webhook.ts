// No test-runner imports: the browser suite (Playwright) uses it too.

/** A WhatsApp Cloud API webhook delivering one message, shaped as Meta posts it. */
export function whatsappWebhook(options: { phoneNumberId: string; from: string; name: string; message: Record<string, unknown> }) {
  return {
    object: 'whatsapp_business_account',
    entry: [
      {
        id: '102290129340398',
        changes: [
          {
            field: 'messages',
            value: {
              messaging_product: 'whatsapp',
              metadata: { display_phone_number: '15550783881', phone_number_id: options.phoneNumberId },
              contacts: [{ profile: { name: options.name }, wa_id: options.from }],
              messages: [{ from: options.from, ...options.message }],
            },
          },
        ],
      },
    ],
  };
}
