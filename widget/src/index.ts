import type { Identity } from './api';
import type { InitOptions, VersaAIInstance, WidgetEvent } from './types';
import { Widget } from './ui';

export type { InitOptions, VersaAIInstance, WidgetEvent };

type Listener = (data?: unknown) => void;

export interface VersaAIGlobal {
  init(options: InitOptions): VersaAIInstance;
  open(): void;
  close(): void;
  toggle(): void;
  identify(identity: Identity): Promise<void>;
  sendMessage(text: string): Promise<void>;
  destroy(): void;
  on(event: WidgetEvent, cb: Listener): void;
  off(event: WidgetEvent, cb: Listener): void;
}

// Only readable while this script's own top-level code runs (async scripts included).
const script = document.currentScript as HTMLScriptElement | null;
let scriptOrigin = location.origin;
try {
  if (script?.src) scriptOrigin = new URL(script.src).origin;
} catch {
  /* keep the page origin */
}

let current: VersaAIInstance | undefined;

function init(options: InitOptions): VersaAIInstance {
  if (!options?.botId) throw new Error('VersaAI.init: botId is required');
  // The container id is the registry: a second init (or a second copy of the script) reuses it.
  const existing = document.getElementById(`versaai-widget-${options.botId}`) as (HTMLElement & { versaai?: Widget }) | null;
  if (existing?.versaai) return (current = existing.versaai.handle);
  const widget: Widget = new Widget({ ...options, apiBase: options.apiBase || scriptOrigin }, () => {
    if (current === widget.handle) current = undefined;
  });
  return (current = widget.handle);
}

const w = window as unknown as { VersaAI?: VersaAIGlobal };
const global: VersaAIGlobal =
  w.VersaAI?.init
    ? w.VersaAI
    : (w.VersaAI = {
        init,
        open: () => current?.open(),
        close: () => current?.close(),
        toggle: () => current?.toggle(),
        identify: async (identity) => current?.identify(identity),
        sendMessage: async (text) => current?.sendMessage(text),
        destroy: () => current?.destroy(),
        on: (event, cb) => void current?.on(event, cb),
        off: (event, cb) => void current?.off(event, cb),
      });

const botId = script?.dataset.botId;
if (botId) {
  global.init({
    botId,
    apiBase: script.dataset.apiBase || undefined,
    open: script.dataset.open === 'true',
    locale: script.dataset.locale || undefined,
  });
}
