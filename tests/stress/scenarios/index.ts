/** Every stress scenario, in the order `npm run stress` runs them. */
import type { Scenario } from '../report';
import { browserKillDuringImport } from './browser-kill';
import { hostKillDuringBundleWrite, workerKillDuringBundleImport } from './bundles';
import { hostKillDuringApply, hostKillDuringHistoryStream } from './host-kill';
import { hostileContent } from './hostile-content';
import { loadScenario } from './load';
import { protocolFuzz } from './protocol-fuzz';
import { diskFilledDuringImport, storagePressure } from './storage-pressure';
import { contentScriptProbe, hostileBundlesCli, hostileBundlesWorker } from './trust';
import { workerKillDuringImport } from './worker-kill';
import { workerKillDuringSync } from './sync-kill';
import { workerKillDuringDelete, workerKillDuringPrune, workerKillDuringReply } from './worker-kill-more';

export const scenarios: Scenario[] = [protocolFuzz, hostKillDuringApply, hostKillDuringHistoryStream, workerKillDuringImport, workerKillDuringReply, workerKillDuringDelete, workerKillDuringPrune, browserKillDuringImport, storagePressure, diskFilledDuringImport, hostileContent, loadScenario, workerKillDuringBundleImport, hostKillDuringBundleWrite, hostileBundlesCli, hostileBundlesWorker, contentScriptProbe, workerKillDuringSync];
