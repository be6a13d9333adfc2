import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * The media half of the fake platforms (fake-platforms.ts): files customers "sent", served the
 * way each platform serves them, and the upload calls agents' files go out through.
 *   - WhatsApp: `GET /{version}/{media-id}` answers `{ url, mime_type, sha256, file_size, id }`;
 *     the URL needs the same Bearer token (401 without), as Meta's lookaside URLs do.
 *     `POST /{version}/{phone-number-id}/media` (multipart: file, type, messaging_product) answers `{ id }`.
 *   - Messenger/Instagram and Discord: attachment URLs (`cdnUrl`), no token, as Meta's and Discord's CDNs.
 *   - Slack: `url_private_download` (`slackFileUrl`) needs the bot token as a Bearer; without it
 *     Slack answers 200 with its HTML sign-in page (not an error status), as files.slack.com does.
 *     Uploads: `files.getUploadURLExternal` (fake-platforms.ts) reserves a file and a pre-signed
 *     address here (`/slack-upload/<file id>`, no token), which takes the bytes raw or as a multipart
 *     `file`, of exactly the reserved length, and answers `OK - <length>` as files.slack.com does.
 *   - Telegram: `getFile` answers `{ file_id, file_path, file_size }` (or 400 "file is too big"
 *     past 20 MB, as the Bot API does) and `GET /file/bot<token>/<file_path>` serves the bytes.
 * Big files are generated as they are written (never held), so a 100 MB video costs nothing here.
 */
export interface FakeMediaFile {
  mimeType: string;
  /** The file's bytes; or `size` bytes starting with `head` and filled with zeros. */
  bytes?: Uint8Array;
  size?: number;
  head?: Uint8Array;
  /** The Content-Type the download answers with (defaults to `mimeType`). */
  contentType?: string;
  /** Send no Content-Length (chunked), so only counting the bytes can stop an oversized file. */
  chunked?: boolean;
}

const TELEGRAM_DOWNLOAD_LIMIT = 20 * 1024 * 1024;
const CHUNK = 64 * 1024;

export interface FakeMedia {
  /** A WhatsApp media id customers' messages can carry. */
  whatsapp(mediaId: string, file: FakeMediaFile): void;
  /** A Telegram file id. */
  telegram(fileId: string, file: FakeMediaFile): void;
  /** A Messenger/Instagram (or Discord CDN) attachment URL serving `file`. */
  cdnUrl(name: string, file: FakeMediaFile): string;
  /** A Slack `url_private_download` serving `file` to requests with `Authorization: Bearer <botToken>`. */
  slackFileUrl(name: string, file: FakeMediaFile, botToken: string): string;
  /** Bytes written for each download path (a refused download stops early). */
  served: Map<string, number>;
  /** Slack uploads by file id: what `files.getUploadURLExternal` reserved, and the bytes once posted. */
  slackUploads: Map<string, SlackUpload>;
  reset(): void;
}

export interface SlackUpload {
  filename: string;
  length: number;
  bytes: Uint8Array | null;
}

const sizeOf = (file: FakeMediaFile) => file.bytes?.byteLength ?? file.size ?? 0;

async function writeFile(_req: IncomingMessage, res: ServerResponse, file: FakeMediaFile, served: Map<string, number>, key: string) {
  const size = sizeOf(file);
  res.writeHead(200, { 'Content-Type': file.contentType ?? file.mimeType, ...(file.chunked ? {} : { 'Content-Length': String(size) }) });
  let written = 0;
  served.set(key, 0);
  const body = file.bytes ?? null;
  const head = file.head ?? new Uint8Array(0);
  const filler = Buffer.alloc(CHUNK);
  while (written < size && !res.destroyed) {
    const length = Math.min(CHUNK, size - written);
    let chunk: Buffer;
    if (body) chunk = Buffer.from(body.subarray(written, written + length));
    else if (written < head.byteLength) chunk = Buffer.concat([Buffer.from(head.subarray(written, Math.min(head.byteLength, written + length))), filler]).subarray(0, length);
    else chunk = filler.subarray(0, length);
    written += length;
    served.set(key, written);
    // Respect back-pressure: a reader that stops reading stops the generator too.
    if (!res.write(chunk)) {
      await new Promise<void>((resume) => {
        const done = () => {
          res.off('drain', done);
          res.off('close', done);
          resume();
        };
        res.once('drain', done);
        res.once('close', done);
      });
    }
  }
  res.end();
}

export function createFakeMedia(baseUrl: () => string) {
  let whatsapp = new Map<string, FakeMediaFile>();
  let telegram = new Map<string, FakeMediaFile>();
  let cdn = new Map<string, FakeMediaFile>();
  let slackFiles = new Map<string, { file: FakeMediaFile; botToken: string }>();
  let uploads = 0;
  const served = new Map<string, number>();
  const slackUploads = new Map<string, SlackUpload>();

  const media: FakeMedia = {
    whatsapp: (id, file) => void whatsapp.set(id, file),
    telegram: (id, file) => void telegram.set(id, file),
    cdnUrl(name, file) {
      cdn.set(name, file);
      return `${baseUrl()}/cdn/${encodeURIComponent(name)}`;
    },
    slackFileUrl(name, file, botToken) {
      slackFiles.set(name, { file, botToken });
      return `${baseUrl()}/files-pri/T0FAKE-F0${encodeURIComponent(name)}/download/${encodeURIComponent(name)}`;
    },
    served,
    slackUploads,
    reset() {
      slackUploads.clear();
      slackFiles = new Map();
      whatsapp = new Map();
      telegram = new Map();
      cdn = new Map();
      served.clear();
    },
  };

  const json = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify(body));
  };

  /**
   * Answers the request when it is a media call; false lets the platforms' fake answer it.
   * `endpoint` and `token` are as fake-platforms.ts records them; uploads are JSON-answered there.
   */
  /** `files.getUploadURLExternal`: a file id and the address its bytes go to. */
  function reserveSlackUpload(filename: string, length: number) {
    uploads += 1;
    const fileId = `F0UP${String(uploads).padStart(6, '0')}`;
    slackUploads.set(fileId, { filename, length, bytes: null });
    return { fileId, uploadUrl: `${baseUrl()}/slack-upload/${fileId}` };
  }

  async function handle(
    req: IncomingMessage,
    res: ServerResponse,
    request: { api: string; method: string; path: string; endpoint: string; token: string | null; body: any },
    raw: Buffer,
  ): Promise<boolean> {
    const path = decodeURIComponent(request.path);
    const upload = /^\/slack-upload\/([^/]+)$/.exec(path);
    if (request.method === 'POST' && upload) {
      const reserved = slackUploads.get(upload[1]);
      const file = request.body?.file;
      const bytes = file?.bytes instanceof Uint8Array ? file.bytes : new Uint8Array(raw);
      res.writeHead(reserved && bytes.byteLength === reserved.length ? 200 : 400, { 'Content-Type': 'text/plain' });
      if (reserved && bytes.byteLength === reserved.length) {
        reserved.bytes = bytes;
        res.end(`OK - ${bytes.byteLength}`);
      } else res.end(reserved ? 'length_mismatch' : 'invalid_upload');
      return true;
    }
    if (request.method === 'GET' && path.startsWith('/cdn/')) {
      const file = cdn.get(path.slice('/cdn/'.length));
      if (!file) json(res, 404, { error: 'not found' });
      else await writeFile(req, res, file, served, path);
      return true;
    }
    const slackMatch = /^\/files-pri\/T0FAKE-F0([^/]+)\/download\/[^/]+$/.exec(path);
    if (request.method === 'GET' && slackMatch) {
      const entry = slackFiles.get(slackMatch[1]);
      if (!entry) json(res, 404, { ok: false, error: 'file_not_found' });
      else if (request.token !== entry.botToken) {
        res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
        res.end('<!DOCTYPE html><html><head><title>Slack</title></head><body>Sign in to your workspace</body></html>');
      } else await writeFile(req, res, entry.file, served, path);
      return true;
    }
    if (request.method === 'GET' && path.startsWith('/wa-media/')) {
      const file = whatsapp.get(path.slice('/wa-media/'.length));
      if (!request.token) json(res, 401, { error: { message: 'Authorization required', code: 190 } });
      else if (!file) json(res, 404, { error: { message: 'Media not found', code: 100 } });
      else await writeFile(req, res, file, served, path);
      return true;
    }
    const fileMatch = /^\/file\/bot([^/]+)\/(.+)$/.exec(path);
    if (request.method === 'GET' && fileMatch) {
      const file = telegram.get(fileMatch[2].replace(/^files\//, ''));
      if (!file) json(res, 404, { ok: false, error_code: 404, description: 'Not Found' });
      else await writeFile(req, res, file, served, path);
      return true;
    }
    if (request.api === 'meta' && request.method === 'GET' && whatsapp.has(request.endpoint)) {
      const file = whatsapp.get(request.endpoint)!;
      json(res, 200, {
        messaging_product: 'whatsapp',
        url: `${baseUrl()}/wa-media/${encodeURIComponent(request.endpoint)}`,
        mime_type: file.mimeType,
        sha256: 'fake-sha256',
        file_size: file.chunked ? undefined : sizeOf(file),
        id: request.endpoint,
      });
      return true;
    }
    if (request.api === 'meta' && request.method === 'POST' && /^\d+\/media$/.test(request.endpoint)) {
      uploads += 1;
      const ok = request.body?.messaging_product === 'whatsapp' && request.body?.file?.size > 0;
      if (ok) json(res, 200, { id: `${9_000_000 + uploads}` });
      else json(res, 400, { error: { message: '(#100) The parameter messaging_product and file are required.', type: 'OAuthException', code: 100 } });
      return true;
    }
    if (request.api === 'telegram' && request.endpoint === 'getFile') {
      const id = String(request.body?.file_id ?? '');
      const file = telegram.get(id);
      if (!file) json(res, 400, { ok: false, error_code: 400, description: 'Bad Request: invalid file_id' });
      else if (sizeOf(file) > TELEGRAM_DOWNLOAD_LIMIT) json(res, 400, { ok: false, error_code: 400, description: 'Bad Request: file is too big' });
      else json(res, 200, { ok: true, result: { file_id: id, file_unique_id: `u${id}`, file_size: file.chunked ? undefined : sizeOf(file), file_path: `files/${id}` } });
      return true;
    }
    return false;
  }

  return { media, handle, reserveSlackUpload };
}

/** A multipart body as the fakes record it: text fields as strings, files as `{ filename, type, size, bytes }`. */
export async function readMultipart(raw: Buffer, contentType: string): Promise<Record<string, unknown>> {
  const form = await new Response(new Uint8Array(raw), { headers: { 'content-type': contentType } }).formData();
  const fields: Record<string, unknown> = {};
  for (const [name, value] of form.entries()) {
    if (typeof value === 'string') {
      try {
        fields[name] = name === 'message' || name === 'recipient' || name === 'reply_markup' || name === 'payload_json' ? JSON.parse(value) : value;
      } catch {
        fields[name] = value;
      }
    } else {
      const bytes = new Uint8Array(await value.arrayBuffer());
      fields[name] = { filename: value.name, type: value.type, size: bytes.byteLength, bytes };
    }
  }
  return fields;
}
