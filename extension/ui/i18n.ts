/**
 * UI strings: every word a person reads comes from `public/_locales/<lang>/messages.json` through
 * `chrome.i18n`, so HydraFlow can be translated without touching components. A lint rule
 * (eslint.config.js, `hydraflow/no-literal-ui-text`) refuses text written straight into JSX.
 * `$1`…`$9` in a message are replaced by the substitutions, in order.
 */
import type messages from '../../public/_locales/en/messages.json';

export type MessageKey = keyof typeof messages;

export function t(key: MessageKey, ...substitutions: (string | number)[]): string {
  const text = globalThis.chrome?.i18n?.getMessage(key, substitutions.map(String));
  return text || key;
}

/** A count with its noun: `plural(3, 'visit_one', 'visit_other')` → "3 visits". */
export function plural(count: number, one: MessageKey, other: MessageKey): string {
  return t(count === 1 ? one : other, count.toLocaleString());
}
