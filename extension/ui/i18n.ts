/**
 * UI strings: every word a person reads comes from `public/_locales/<lang>/messages.json` through
 * `chrome.i18n`, so HydraFlow can be translated without touching components. A lint rule
 * (eslint.config.js, `hydraflow/no-literal-ui-text`) refuses text written straight into JSX.
 * `$1`…`$9` in a message are replaced by the substitutions, in order.
 */
import messages from '../../public/_locales/en/messages.json';

export type MessageKey = keyof typeof messages;

/**
 * `chrome.i18n.getMessage` answers '' now and then in a page that opens while the browser is still
 * loading the extension (seen in e2e: a status line showed its bare key), so the English bundle,
 * which the build holds anyway, stands in with the same `$1`…`$9` substitution.
 */
function english(key: MessageKey, substitutions: string[]): string {
  const entry = (messages as Record<string, { message: string } | undefined>)[key];
  return entry ? entry.message.replace(/\$([1-9])/g, (_, n: string) => substitutions[Number(n) - 1] ?? '') : key;
}

export function t(key: MessageKey, ...substitutions: (string | number)[]): string {
  const values = substitutions.map(String);
  return globalThis.chrome?.i18n?.getMessage(key, values) || english(key, values);
}

/** A count with its noun: `plural(3, 'visit_one', 'visit_other')` → "3 visits". */
export function plural(count: number, one: MessageKey, other: MessageKey): string {
  return t(count === 1 ? one : other, count.toLocaleString());
}
