/**
 * The capture blocklist: domains the user never wants captured. A rule matches its exact host, and
 * with `subdomains` every host under it — by whole labels, never by substring (a rule for
 * `ample.com` does not match `example.com`).
 */
import { z } from 'zod';
import { CodedError } from './errors';
export { hostMatches, isBlocked } from './blocklist-match';

export const blockRule = z.lazy(() => z.object({ domain: z.string().min(1).max(253), subdomains: z.boolean() }));
export type BlockRule = z.infer<typeof blockRule>;

const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;

/** Lowercases and checks a domain typed by the user (an IDN is accepted in its Unicode form). */
export function normalizeDomain(input: string): string {
  const trimmed = input.trim().toLowerCase().replace(/\.$/, '');
  const refuse = () => new CodedError('DOMAIN_INVALID', `"${input}" is not a domain name (write it like example.com)`);
  if (!trimmed || /[/:@\s?#%\\]/.test(trimmed)) throw refuse();
  let ascii: string;
  try {
    ascii = new URL(`http://${trimmed}/`).hostname;
  } catch {
    throw refuse();
  }
  if (!ascii.split('.').every((label) => LABEL.test(label))) throw refuse();
  return ascii;
}

