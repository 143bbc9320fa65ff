/**
 * The service worker's start-up. Everything here runs synchronously on every start (an MV3
 * worker can be killed and restarted at any time, and a listener added late misses the event that
 * woke it). State lives in the database, never only in memory.
 */
import { browser } from 'wxt/browser';
import { appCommandHandlers } from '../app';
import { bundleCommandHandlers, bundleJobTypes, sweepImportLeftovers } from '../bundles';
import { callerOf, dispatchCommand, type CommandHandlers } from '../commands/router';
import { getDb } from '../db';
import { historyCommandHandlers, historyJobTypes } from '../history';
import { startVisitMigration, visitJobTypes } from '../visits';
import { createNativeHostConnection, hostCommandHandlers } from '../host';
import { assembleJobTypes, createdByThisWorker, jobCommandHandlers, keepingWorkerAlive, recoverInterruptedJobs } from '../jobs';
import { overviewCommandHandlers } from '../overview';
import { anyRule, getRetention, privacyCommandHandlers, privacyJobTypes, RETENTION_ALARM, runRetention } from '../privacy';
import { pageCommandHandlers } from '../pages';
import { refreshCommandHandlers, refreshJobTypes } from '../refresh';
import { repoCommandHandlers, repoJobTypes } from '../repo';
import { Indexer, searchCommandHandlers, searchJobTypes, searchQuestion } from '../search';
import { embeddingCommandHandlers, embeddingJobTypes, registerEmbedAlarm, vectorSearch, workerEmbedOptions } from '../search/embeddings';
import { registerOmnibox } from '../search/omnibox';
import { threadCommandHandlers } from '../threads';
import { captureCommandHandlers, readTab, registerCaptureListeners, registerPageListeners, syncOpenTabs } from '../capture';
import { chatCommandHandlers, recoverInterruptedReplies } from '../chat';
import { memoryCommandHandlers } from '../memories';
import { taskCommandHandlers } from '../tasks';
import { registerSyncAlarms, setOutboxListener, settleSyncBookkeeping, syncCommandHandlers, syncJobTypes, syncSoon } from '../sync';
import type { SearchKind } from '../../shared/search/kinds';

const DAY_MINUTES = 24 * 60;
/** What "From my history" searches: what the user read and wrote (threads come in through their messages). */
const HISTORY_KINDS: SearchKind[] = ['visit', 'page', 'message', 'task', 'memory'];
/** The longest the start-up chores wait for the commands that woke the worker. */
const CHORES_MAX_DELAY_MS = 500;

/**
 * Start-up chores (tab sync, reply and job recovery) open read-write transactions on `tabs`,
 * `messages`, `jobs`; started first, they queue the command that woke the worker behind them — a
 * side panel opening on a stopped worker waited 30–70 ms more for `threads.forTab`. They run once
 * the commands in flight are answered (nothing in them is urgent: each only repairs what a dead
 * worker left), or after `maxDelayMs` when no command comes or one is slow.
 */
function startUpChores(maxDelayMs: number): { around<T>(command: Promise<T>): Promise<T>; whenDue(run: () => void): void } {
  let chores: (() => void) | null = null;
  let due = false;
  let inFlight = 0;
  const fire = () => {
    due = true;
    const run = chores;
    chores = null;
    run?.();
  };
  const timer = setTimeout(fire, maxDelayMs);
  return {
    around(command) {
      inFlight++;
      return command.finally(() => {
        if (--inFlight > 0 || due) return;
        clearTimeout(timer);
        fire();
      });
    },
    whenDue(run) {
      if (due) run();
      else chores = run;
    },
  };
}

export function main(): void {
  const db = getDb();
  // Opening may upgrade the schema, which no event keeps the worker alive through (migration 7
  // builds the visit index rows and drops two indexes: ~8–22 s for 500k visits, docs/storage.md).
  void keepingWorkerAlive(() => db.open()).catch((error: unknown) => console.error('[hydraflow] database open failed', error));
  // First of all: whether the sync outbox records (sync set up) or forgets (sync off; docs/sync.md).
  void settleSyncBookkeeping(db).catch((error: unknown) => console.error('[hydraflow] sync bookkeeping failed', error));
  const host = createNativeHostConnection();
  const repo = repoCommandHandlers(db, host);
  const indexer = new Indexer(db);
  indexer.attach();
  const reindex = async () => (indexer.loaded ? indexer.drain() : undefined);
  const embedOptions = workerEmbedOptions();
  const vectors = vectorSearch(db);
  // Each capability registers its job types (params, cancel, retry, resume) from its own folder.
  const { controls, resumers } = assembleJobTypes([
    ...historyJobTypes(db, host),
    ...visitJobTypes(db),
    ...repoJobTypes(repo),
    ...privacyJobTypes(db, host),
    ...refreshJobTypes(db, reindex),
    ...bundleJobTypes(db, host),
    ...searchJobTypes(indexer),
    ...embeddingJobTypes(db, embedOptions),
    ...syncJobTypes(db),
  ]);
  const handlers = {
    ...appCommandHandlers(db),
    ...hostCommandHandlers(host),
    ...repo,
    ...historyCommandHandlers(db, host),
    ...threadCommandHandlers(db),
    ...chatCommandHandlers(db, {
      readTab: (tabId) => readTab(db, tabId),
      searchHistory: (question, limit) => searchQuestion(db, indexer, question, { kinds: HISTORY_KINDS, limit }, vectors),
    }),
    ...taskCommandHandlers(db),
    ...memoryCommandHandlers(db),
    ...captureCommandHandlers(db),
    ...jobCommandHandlers(db, controls),
    ...overviewCommandHandlers(db, host),
    ...privacyCommandHandlers(db, host),
    ...pageCommandHandlers(db),
    ...refreshCommandHandlers(db, reindex),
    ...bundleCommandHandlers(db, host),
    ...searchCommandHandlers(db, indexer, () => vectors),
    ...embeddingCommandHandlers(db, embedOptions),
    ...syncCommandHandlers(db),
  } satisfies CommandHandlers;

  const chores = startUpChores(CHORES_MAX_DELAY_MS);
  browser.runtime.onMessage.addListener((message, sender) => {
    if (sender.id !== browser.runtime.id) return undefined;
    // Who sent it decides what it may ask (shared/commands: each command's `callers`).
    const caller = callerOf(sender, browser.runtime.id);
    return chores.around(dispatchCommand(handlers, message, { senderTabId: sender.tab?.id ?? null, caller }));
  });

  // First run: the extension's own welcome page. `npm start` gives Chromium no URL to open, since
  // a chrome-extension:// URL on the command line opens before the extension loads (and stays an
  // ERR_BLOCKED_BY_CLIENT page).
  browser.runtime.onInstalled.addListener(({ reason }) => {
    if (reason === 'install') void browser.tabs.create({ url: browser.runtime.getURL('/welcome.html') });
  });

  registerOmnibox(async (q) => (await handlers['search.query']({ q, limit: 16 }, { senderTabId: null })).hits);
  registerCaptureListeners(db);
  registerPageListeners(db);
  // Writes since the last run wait in the journal; apply them when there are many (else at the first search).
  indexer.scheduleDrain(5_000);
  chores.whenDue(() => {
    void syncOpenTabs(db).catch((error: unknown) => console.error('[hydraflow] tab sync failed', error));
    void recoverInterruptedReplies(db).catch((error: unknown) => console.error('[hydraflow] reply recovery failed', error));
    // Jobs cut off by the previous worker's death: resume those whose capability can, fail the rest.
    // A job the commands that woke this worker started is running here, not cut off.
    void recoverInterruptedJobs(db, resumers, { alive: createdByThisWorker })
      .catch((error: unknown) => console.error('[hydraflow] job recovery failed', error))
      // Copies, staged files and checkpoints of bundle imports no queued or running job owns (the
      // jobs the recovery just failed never discarded theirs): deleted (extension/bundles/sweep.ts).
      .then(() => sweepImportLeftovers(db))
      .catch((error: unknown) => console.error('[hydraflow] bundle import sweep failed', error))
      // Visits still in the one-row-per-visit layout of versions 1–4 move into chunks (docs/history.md).
      .then(() => startVisitMigration(db))
      .catch((error: unknown) => console.error('[hydraflow] visit migration failed', error));
  });

  registerEmbedAlarm(db, embedOptions);
  // Sync: every 15 minutes, and half a minute after local writes (docs/sync.md).
  registerSyncAlarms(db);
  setOutboxListener(syncSoon);

  // Automatic clean-up: once a day, when the user turned a rule on.
  browser.alarms.onAlarm.addListener((alarm) => {
    if (alarm.name !== RETENTION_ALARM) return;
    void getRetention(db)
      .then((rules) => (anyRule(rules) ? runRetention(db, host) : undefined))
      .catch((error: unknown) => console.error('[hydraflow] retention run failed', error));
  });
  void browser.alarms.get(RETENTION_ALARM).then((existing) => {
    if (!existing) void browser.alarms.create(RETENTION_ALARM, { delayInMinutes: 5, periodInMinutes: DAY_MINUTES });
  });
}
