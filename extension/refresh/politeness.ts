/**
 * Per-host politeness for one refresh run: robots.txt fetched once per origin (and paced like any
 * request), and a minimum interval between two requests to the same host — the larger of the
 * run's interval and the site's Crawl-delay — counted from the end of the previous request. Time and sleep are injected so tests use a virtual clock.
 */
import { policyForStatus, robotsAllows, type RobotsPolicy } from '../../shared/refresh/robots';
import { CRAWLER_TOKEN, fetchPage, type FetchFn } from './fetch-page';

export interface Clock {
  now(): number;
  /** Resolves after `ms` (rejects when the signal aborts). */
  sleep(ms: number, signal: AbortSignal): Promise<void>;
}

export const realClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise((resolve, reject) => {
      if (signal.aborted) return reject(signal.reason);
      const timer = setTimeout(resolve, ms);
      signal.addEventListener('abort', () => (clearTimeout(timer), reject(signal.reason)), { once: true });
    }),
};

/**
 * The interval runs from the END of one request to the start of the next to the same host, so the
 * server sees at least that gap between two requests whatever the network's latency (measured
 * between starts, a slow connection setup on one request would shorten the next gap).
 */
export class HostPacer {
  private readonly last = new Map<string, number>();
  constructor(private readonly clock: Clock) {}

  /** Waits until a request to `host` may start, runs it, and remembers when it ended. */
  async run<T>(host: string, intervalMs: number, signal: AbortSignal, request: () => Promise<T>): Promise<T> {
    const previous = this.last.get(host);
    const now = this.clock.now();
    if (previous !== undefined && previous + intervalMs > now) await this.clock.sleep(previous + intervalMs - now, signal);
    try {
      return await request();
    } finally {
      this.last.set(host, this.clock.now());
    }
  }
}

export class RobotsCache {
  private readonly policies = new Map<string, RobotsPolicy>();
  constructor(
    private readonly fetchFn: FetchFn,
    private readonly pacer: HostPacer,
    private readonly options: { minIntervalMs: number; timeoutMs: number; signal: AbortSignal },
  ) {}

  async policy(url: URL): Promise<RobotsPolicy> {
    const known = this.policies.get(url.origin);
    if (known) return known;
    const reply = await this.pacer.run(url.host, this.options.minIntervalMs, this.options.signal, () =>
      fetchPage(this.fetchFn, `${url.origin}/robots.txt`, { signal: this.options.signal, timeoutMs: this.options.timeoutMs, maxBytes: 512 * 1024, accept: 'text/plain,*/*;q=0.5' }),
    );
    const status = reply.ok ? reply.status : reply.error.code === 'REFRESH_HTTP_ERROR' ? (reply.error.details as { status: number }).status : null;
    const policy = policyForStatus(status, reply.ok ? reply.html : '', CRAWLER_TOKEN);
    this.policies.set(url.origin, policy);
    return policy;
  }

  async allows(url: URL): Promise<boolean> {
    return robotsAllows(await this.policy(url), `${url.pathname}${url.search}`);
  }

  /** The interval for a host: the run's, or the site's Crawl-delay when longer. */
  intervalFor(url: URL): number {
    const delay = this.policies.get(url.origin)?.crawlDelaySeconds ?? null;
    return Math.max(this.options.minIntervalMs, delay === null ? 0 : Math.min(delay, 60) * 1000);
  }
}
