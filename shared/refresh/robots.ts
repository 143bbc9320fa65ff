/**
 * robots.txt (RFC 9309): groups of `User-agent` lines followed by `Allow`/`Disallow` rules. The
 * group naming our product token applies (all such groups merged), else the `*` group, else
 * everything is allowed. Among the rules of that group the longest matching pattern wins, and on a
 * tie `Allow` wins. Patterns support `*` (any characters) and a trailing `$` (end of path).
 * `Crawl-delay` (not in the RFC, widely used) is read from the chosen group. Pure: no fetching here.
 */

export interface RobotsRule {
  allow: boolean;
  pattern: string;
}

export interface RobotsPolicy {
  rules: RobotsRule[];
  /** Seconds between requests the site asks for, when it says. */
  crawlDelaySeconds: number | null;
}

export const ALLOW_ALL: RobotsPolicy = { rules: [], crawlDelaySeconds: null };
export const DISALLOW_ALL: RobotsPolicy = { rules: [{ allow: false, pattern: '/' }], crawlDelaySeconds: null };

interface Group {
  agents: string[];
  rules: RobotsRule[];
  crawlDelaySeconds: number | null;
}

/** Parses robots.txt text into the policy for the crawler whose product token is `agent` (e.g. "HydraFlow"). */
export function parseRobots(text: string, agent: string): RobotsPolicy {
  const groups: Group[] = [];
  let current: Group | null = null;
  let lastWasAgent = false;
  for (const raw of text.split(/\r\n|\r|\n/)) {
    const line = raw.replace(/#.*/, '').trim();
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const key = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    if (key === 'user-agent') {
      if (!current || !lastWasAgent) {
        current = { agents: [], rules: [], crawlDelaySeconds: null };
        groups.push(current);
      }
      current.agents.push(value.toLowerCase());
      lastWasAgent = true;
      continue;
    }
    lastWasAgent = false;
    if (!current) continue;
    if (key === 'allow' || key === 'disallow') {
      // An empty Disallow allows everything; it adds no rule.
      if (value) current.rules.push({ allow: key === 'allow', pattern: value });
    } else if (key === 'crawl-delay') {
      const seconds = Number(value);
      if (Number.isFinite(seconds) && seconds >= 0) current.crawlDelaySeconds = seconds;
    }
  }
  const token = agent.toLowerCase();
  const mine = groups.filter((g) => g.agents.some((a) => a !== '*' && agentMatches(a, token)));
  const chosen = mine.length > 0 ? mine : groups.filter((g) => g.agents.includes('*'));
  if (chosen.length === 0) return ALLOW_ALL;
  const delays = chosen.map((g) => g.crawlDelaySeconds).filter((d): d is number => d !== null);
  return { rules: chosen.flatMap((g) => g.rules), crawlDelaySeconds: delays.length ? Math.max(...delays) : null };
}

/** A group's user-agent line names us when it is our product token (case-insensitive), ignoring any version suffix. */
function agentMatches(line: string, token: string): boolean {
  const name = line.split('/')[0]!.trim();
  return name === token;
}

/** Whether a URL path (with its query) may be fetched under the policy. `/robots.txt` itself always may. */
export function robotsAllows(policy: RobotsPolicy, pathWithQuery: string): boolean {
  const path = normalizePath(pathWithQuery);
  if (path === '/robots.txt') return true;
  let best: RobotsRule | null = null;
  let bestLength = -1;
  for (const rule of policy.rules) {
    if (!patternMatches(normalizePath(rule.pattern), path)) continue;
    const length = rule.pattern.length;
    if (length > bestLength || (length === bestLength && rule.allow && best && !best.allow)) {
      best = rule;
      bestLength = length;
    }
  }
  return best === null || best.allow;
}

/** Percent-encodes what must be and upper-cases escapes, so `/a%7eb` and `/a~b` compare the same way. */
function normalizePath(path: string): string {
  return path.replace(/%[0-9a-f]{2}/gi, (escape) => {
    const char = String.fromCharCode(parseInt(escape.slice(1), 16));
    return /[A-Za-z0-9\-._~]/.test(char) ? char : escape.toUpperCase();
  });
}

function patternMatches(pattern: string, path: string): boolean {
  const anchored = pattern.endsWith('$');
  const body = anchored ? pattern.slice(0, -1) : pattern;
  const regex = new RegExp(`^${body.split('*').map(escapeRegex).join('.*')}${anchored ? '$' : ''}`);
  return regex.test(path);
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The policy for a robots.txt fetch outcome (RFC 9309 §2.3.1): 4xx → allow all; 5xx or unreachable → disallow all. */
export function policyForStatus(status: number | null, text: string, agent: string): RobotsPolicy {
  if (status === null || status >= 500) return DISALLOW_ALL;
  if (status >= 400) return ALLOW_ALL;
  if (status >= 200 && status < 300) return parseRobots(text, agent);
  return ALLOW_ALL;
}
