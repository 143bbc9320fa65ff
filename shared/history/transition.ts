/**
 * How each source's "how did the user get here" value maps to our Transition (Chromium's core
 * page-transition type, lowercase). Pure; the host and the extension (Takeout drop) share it.
 */
import { TRANSITIONS, type Transition } from '../schemas/statuses';

/** Chromium's qualifier bits (ui/base/page_transition_types.h), above the 8-bit core type. */
const QUALIFIERS = {
  blocked: 0x0080_0000,
  forward_back: 0x0100_0000,
  from_address_bar: 0x0200_0000,
  home_page: 0x0400_0000,
  from_api: 0x0800_0000,
  chain_start: 0x1000_0000,
  chain_end: 0x2000_0000,
  client_redirect: 0x4000_0000,
  server_redirect: 0x8000_0000,
} as const;
export type TransitionQualifier = keyof typeof QUALIFIERS;

export interface DecodedTransition {
  core: Transition;
  qualifiers: TransitionQualifier[];
  /** True when the visit was reached through a client or server redirect. */
  redirect: boolean;
}

/**
 * Decodes a Chromium `visits.transition` value. SQLite stores it as a signed 32-bit integer, so a
 * visit with the SERVER_REDIRECT bit (0x80000000) reads back negative: `>>> 0` restores the
 * unsigned bit pattern before masking. An unknown core type (newer Chromium) falls back to `link`.
 */
export function decodeChromeTransition(value: number | bigint): DecodedTransition {
  const bits = Number(BigInt.asUintN(32, BigInt(value))) >>> 0;
  const core = TRANSITIONS[bits & 0xff] ?? 'link';
  const qualifiers = (Object.keys(QUALIFIERS) as TransitionQualifier[]).filter((name) => ((bits & QUALIFIERS[name]) >>> 0) !== 0);
  return { core, qualifiers, redirect: qualifiers.includes('client_redirect') || qualifiers.includes('server_redirect') };
}

/** Inverse for fixtures and tests: a core type plus qualifiers as Chromium stores it (signed int32). */
export function encodeChromeTransition(core: Transition, qualifiers: TransitionQualifier[] = []): number {
  let bits = TRANSITIONS.indexOf(core);
  for (const name of qualifiers) bits = (bits | QUALIFIERS[name]) >>> 0;
  return bits | 0;
}

/**
 * Firefox `moz_historyvisits.visit_type` (nsINavHistoryService TRANSITION_*) to our core type.
 * Redirects and downloads are followed links in Chromium's terms; EMBED is an automatic subframe.
 */
export const FIREFOX_VISIT_TYPES: Readonly<Record<number, Transition>> = {
  1: 'link',
  2: 'typed',
  3: 'auto_bookmark',
  4: 'auto_subframe',
  5: 'link', // REDIRECT_PERMANENT
  6: 'link', // REDIRECT_TEMPORARY
  7: 'link', // DOWNLOAD
  8: 'manual_subframe', // FRAMED_LINK
  9: 'reload',
};

export function firefoxVisitTypeToTransition(visitType: number | bigint | null): Transition {
  return FIREFOX_VISIT_TYPES[Number(visitType ?? 1)] ?? 'link';
}

/** Takeout's `page_transition` is the core type's name, upper case ("LINK", "TYPED"…). */
export function takeoutTransition(name: string | undefined): Transition {
  const lower = (name ?? '').trim().toLowerCase();
  return (TRANSITIONS as readonly string[]).includes(lower) ? (lower as Transition) : 'link';
}
