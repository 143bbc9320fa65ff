/**
 * The service worker's part: the periodic embed run (new pages and messages get vectors without
 * anyone pressing a button) and the keep-alive a long job needs while it waits on the endpoint.
 */
import { browser } from 'wxt/browser';
import type { HydraDb } from '../../db';
import { periodicRunNeeded, startEmbedJob, type EmbedJobOptions } from './job';
import { getEmbeddingSettings } from './store';

export const EMBED_ALARM = 'hydraflow-embed';
const EMBED_PERIOD_MINUTES = 30;

/** Job options in the worker: an extension API call every ~20 s resets the worker's idle timer. */
export function workerEmbedOptions(): EmbedJobOptions {
  return { keepAlive: () => void browser.runtime.getPlatformInfo().catch(() => undefined) };
}

/**
 * Registers the alarm listener (synchronously, at start-up) and makes sure the alarm exists. A
 * run starts only when pages or messages changed since the last successful one (or a day went
 * by), so the jobs list does not fill with empty runs.
 */
export function registerEmbedAlarm(db: HydraDb, options: EmbedJobOptions): void {
  browser.alarms.onAlarm.addListener((alarm) => {
    if (alarm.name !== EMBED_ALARM) return;
    void getEmbeddingSettings(db)
      .then(async (settings) => (settings && (await periodicRunNeeded(db)) ? startEmbedJob(db, options) : undefined))
      .catch((error: unknown) => console.error('[hydraflow] periodic embed run failed', error));
  });
  void browser.alarms.get(EMBED_ALARM).then((existing) => {
    if (!existing) void browser.alarms.create(EMBED_ALARM, { delayInMinutes: EMBED_PERIOD_MINUTES, periodInMinutes: EMBED_PERIOD_MINUTES });
  });
}
