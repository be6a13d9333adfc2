import type { Redactor } from '../../ports';
import { redact } from '../../core/privacy/redact';

/** The Node runtime masks in process: the redactor's metadata costs memory once, not a bundle. */
export const inProcessRedactor: Redactor = {
  async redact(texts) {
    return texts.map((text) => redact(text).text);
  },
};
