// `npm run dev:email -- <webhook URL> <signing key> [file.eml | "text"]`: a newcomer's inbound mail
// on the local runtime, without a mail provider. Posts what Mailgun's inbound route would (a signed
// multipart form) to an email channel's webhook URL (shown in the channel dialog). With a .eml file
// the mail is parsed as Mailgun would; with text (or nothing) a short mail from ana@example.com.
//   npm run dev:email -- http://localhost:8787/api/v1/channels/email/<id> my-signing-key-123456 "¿Abrís el domingo?"
import { existsSync, readFileSync } from 'node:fs';
import { mailgunFieldsFromMime, signedMailgunDelivery } from '../functions/testing/fake-mailgun';

const [url, signingKey, what = '¿Abrís el domingo?'] = process.argv.slice(2);
if (!url || !signingKey) {
  console.error('usage: npm run dev:email -- <webhook URL> <signing key> [file.eml | "text"]');
  process.exit(2);
}

const recipient = 'inbox@inbound.versaai.local';
const { fields, files } = existsSync(what)
  ? await mailgunFieldsFromMime(readFileSync(what), recipient)
  : {
      fields: {
        recipient,
        sender: 'ana@example.com',
        from: 'Ana Pérez <ana@example.com>',
        subject: 'Una pregunta',
        'body-plain': what,
        'Message-Id': `<dev-${Date.now()}@example.com>`,
      },
      files: [],
    };
const delivery = await signedMailgunDelivery(signingKey, fields, files);
const res = await fetch(url, { method: 'POST', headers: { 'content-type': delivery.contentType }, body: delivery.body as Uint8Array<ArrayBuffer> });
console.log(res.status, await res.text());
if (!res.ok) process.exitCode = 1;
