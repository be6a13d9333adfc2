import type { Services } from '../../ports';
import { openCredentials, type DiscordCredentials } from './credentials';
import { parseDiscordMessage, DISCORD_INTENTS } from './discord';
import { storeInbound } from './inbound';
import { discordSettingsOf } from './platforms';
import { loadWebhookIntegration } from './state';

/**
 * One bot's Discord Gateway connection, web-standard only (the global WebSocket: Workers and
 * Node 24), held by a Durable Object at the edge and in process on Node. The documented dance:
 * HELLO gives the heartbeat interval; we IDENTIFY (or RESUME a session we had, with the last
 * sequence number); every dispatch moves the sequence; a heartbeat not acknowledged before the
 * next one means a dead link, so we close and resume. RECONNECT and resumable INVALID_SESSION
 * resume; the rest identify again. Close codes that mean the token or intents are wrong stop it.
 */
export interface GatewayHandlers {
  onMessage(message: unknown): Promise<void>;
  /** A fatal close (bad token, intents not enabled): the connection will not come back by itself. */
  onFatal(reason: string): void;
}

const FATAL_CLOSE = new Map<number, string>([
  [4004, 'Discord refused the bot token (4004)'],
  [4010, 'Invalid shard (4010)'],
  [4011, 'Sharding required (4011)'],
  [4012, 'Invalid API version (4012)'],
  [4013, 'Invalid intents (4013)'],
  [4014, 'The Message Content intent is not enabled for this bot (4014)'],
]);

export class DiscordGatewayConnection {
  private socket: WebSocket | null = null;
  private heartbeat: ReturnType<typeof setInterval> | null = null;
  private seq: number | null = null;
  private sessionId: string | null = null;
  private resumeUrl: string | null = null;
  private acked = true;
  private stopped = false;
  private retries = 0;

  constructor(
    private readonly gatewayUrl: string,
    private readonly botToken: string,
    private readonly handlers: GatewayHandlers,
  ) {}

  get open() {
    return this.socket !== null;
  }

  start() {
    this.stopped = false;
    this.connect();
  }

  stop() {
    this.stopped = true;
    this.clearHeartbeat();
    this.socket?.close(1000, 'stopped');
    this.socket = null;
  }

  private connect() {
    const base = this.sessionId && this.resumeUrl ? this.resumeUrl : this.gatewayUrl;
    const socket = new WebSocket(`${base.replace(/\/+$/, '')}/?v=10&encoding=json`);
    this.socket = socket;
    socket.addEventListener('message', (event) => this.onPayload(JSON.parse(String(event.data))));
    socket.addEventListener('close', (event) => this.onClose(socket, event.code));
    socket.addEventListener('error', () => undefined);
  }

  private send(payload: unknown) {
    if (this.socket?.readyState === WebSocket.OPEN) this.socket.send(JSON.stringify(payload));
  }

  private onPayload(payload: { op: number; d: any; s?: number | null; t?: string | null }) {
    if (typeof payload.s === 'number') this.seq = payload.s;
    switch (payload.op) {
      case 10:
        this.startHeartbeat(Number(payload.d?.heartbeat_interval) || 41_250);
        this.identifyOrResume();
        return;
      case 11:
        this.acked = true;
        return;
      case 1:
        this.send({ op: 1, d: this.seq });
        return;
      case 7:
        this.socket?.close(4900, 'reconnect requested');
        return;
      case 9:
        if (!payload.d) this.sessionId = null;
        this.socket?.close(4900, 'invalid session');
        return;
      case 0:
        this.onDispatch(payload.t ?? '', payload.d);
    }
  }

  private onDispatch(type: string, data: any) {
    if (type === 'READY') {
      this.sessionId = data?.session_id ?? null;
      this.resumeUrl = data?.resume_gateway_url || null;
      this.retries = 0;
    } else if (type === 'RESUMED') {
      this.retries = 0;
    } else if (type === 'MESSAGE_CREATE') {
      this.handlers.onMessage(data).catch((error: unknown) => console.error(JSON.stringify({ level: 'error', message: 'discord message not stored', error: String(error) })));
    }
  }

  private identifyOrResume() {
    if (this.sessionId) {
      this.send({ op: 6, d: { token: this.botToken, session_id: this.sessionId, seq: this.seq } });
      return;
    }
    this.send({ op: 2, d: { token: this.botToken, intents: DISCORD_INTENTS, properties: { os: 'linux', browser: 'versaai', device: 'versaai' } } });
  }

  private startHeartbeat(intervalMs: number) {
    this.clearHeartbeat();
    this.acked = true;
    this.heartbeat = setInterval(() => {
      // No ACK since the last beat: the link is dead (a "zombied" connection); resume on a new one.
      if (!this.acked) return void this.socket?.close(4901, 'heartbeat not acknowledged');
      this.acked = false;
      this.send({ op: 1, d: this.seq });
    }, intervalMs);
  }

  private clearHeartbeat() {
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.heartbeat = null;
  }

  private onClose(socket: WebSocket, code: number) {
    if (socket !== this.socket) return;
    this.socket = null;
    this.clearHeartbeat();
    if (this.stopped) return;
    const fatal = FATAL_CLOSE.get(code);
    if (fatal) {
      this.stopped = true;
      this.handlers.onFatal(fatal);
      return;
    }
    this.retries += 1;
    const delay = Math.min(30_000, 250 * 2 ** Math.min(this.retries, 7));
    setTimeout(() => {
      if (!this.stopped) this.connect();
    }, delay);
  }
}

/**
 * What a Gateway MESSAGE_CREATE becomes: the same inbound path as a webhook (idempotent by the
 * message id), for a connected Discord integration, in the channels its settings name.
 */
export async function receiveGatewayMessage(services: Services, integrationId: string, message: unknown) {
  const integration = await loadWebhookIntegration(services, 'discord', integrationId);
  if (!integration || integration.status === 'disconnected') return null;
  const botUserId = (integration.settings as { discord?: { botUserId?: string } }).discord?.botUserId ?? null;
  return storeInbound(services, integration, parseDiscordMessage(message, discordSettingsOf(integration), botUserId));
}

/** The bot token a gateway connection identifies with; null when the integration cannot connect. */
export async function gatewayCredentials(services: Services, integrationId: string): Promise<DiscordCredentials | null> {
  const integration = await loadWebhookIntegration(services, 'discord', integrationId);
  if (!integration?.credentialsEncrypted || integration.status === 'disconnected') return null;
  return openCredentials('discord', integration.credentialsEncrypted, services.config.ENCRYPTION_KEY);
}
