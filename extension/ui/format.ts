/** How the UI writes dates and times: the browser's locale, never a raw timestamp. */
export function formatDate(at: number | null | undefined): string {
  if (at === null || at === undefined || !Number.isFinite(at)) return '—';
  return new Date(at).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

export function formatDay(at: number): string {
  return new Date(at).toLocaleDateString(undefined, { dateStyle: 'medium' });
}

/** A timestamp in ms (twelve or thirteen digits, 2001–2286) written into a message becomes a date. */
export function datesInText(text: string): string {
  return text.replace(/\b1\d{11,12}\b/g, (digits) => formatDate(Number(digits)));
}
