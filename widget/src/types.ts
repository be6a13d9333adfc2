/** The widget's public API, as `window.VersaAI` exposes it. */
import type { Identity } from './api';

export interface InitOptions {
  botId: string;
  apiBase?: string;
  open?: boolean;
  locale?: string;
}

export type WidgetEvent = 'ready' | 'open' | 'close' | 'message' | 'error';
export type Listener = (data?: unknown) => void;

export interface VersaAIInstance {
  open(): void;
  close(): void;
  toggle(): void;
  identify(identity: Identity): Promise<void>;
  sendMessage(text: string): Promise<void>;
  destroy(): void;
  on(event: WidgetEvent, cb: Listener): VersaAIInstance;
  off(event: WidgetEvent, cb: Listener): VersaAIInstance;
}
