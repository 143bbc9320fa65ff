/** The capture blocklist in settings, cached in the worker (it is read on every tab event). */
import { blockRule, normalizeDomain, type BlockRule } from '../../shared/blocklist';
import type { HydraDb } from '../db';

const KEY = 'capture.blocklist';
let cached: Promise<BlockRule[]> | null = null;

export function getBlocklist(db: HydraDb): Promise<BlockRule[]> {
  cached ??= db.settings.get(KEY).then((row) => {
    const parsed = blockRule.array().safeParse(row?.value);
    return parsed.success ? parsed.data : [];
  });
  return cached;
}

export async function setBlocklist(db: HydraDb, rules: BlockRule[]): Promise<BlockRule[]> {
  const seen = new Map<string, BlockRule>();
  for (const rule of rules) {
    const domain = normalizeDomain(rule.domain);
    const previous = seen.get(domain);
    seen.set(domain, { domain, subdomains: rule.subdomains || Boolean(previous?.subdomains) });
  }
  const normalized = [...seen.values()].sort((a, b) => a.domain.localeCompare(b.domain));
  await db.settings.put({ key: KEY, value: normalized, updatedAt: Date.now() });
  cached = Promise.resolve(normalized);
  return normalized;
}
