/**
 * Whether a URL's host is blocked by the capture blocklist's rules (shared/blocklist.ts has the
 * rules' schema): without zod, so the side panel's early script can use it.
 */
import { hostOf } from './url';

export interface BlockRuleShape {
  domain: string;
  subdomains: boolean;
}

export function hostMatches(host: string, rule: BlockRuleShape): boolean {
  if (!host) return false;
  return host === rule.domain || (rule.subdomains && host.endsWith(`.${rule.domain}`));
}

export function isBlocked(url: string, rules: readonly BlockRuleShape[]): boolean {
  const host = hostOf(url);
  return rules.some((rule) => hostMatches(host, rule));
}
