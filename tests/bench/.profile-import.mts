// Ad hoc (not committed): CPU profile of the service worker during a history import.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeLargeChromiumHistory } from '../fixtures/make-history';
import { runCli } from '../support/cli';
import { launchWithExtension, openExtensionPage, serviceWorkerTarget } from '../support/chromium';

const VISITS = Number(process.env.V ?? 100_000);
const dir = mkdtempSync(join(tmpdir(), 'hf-prof-'));
const config = join(dir, 'config');
mkdirSync(join(config, 'chromium', 'Bench'), { recursive: true });
writeLargeChromiumHistory(join(config, 'chromium', 'Bench', 'History'), { visits: VISITS, urls: VISITS / 5, heavyEvery: 8 });
const profile = join(dir, 'profile');
runCli(['install', '--user-data-dir', profile], { HYDRAFLOW_HOME: join(dir, 'home') });
const launched = await launchWithExtension({ userDataDir: profile, env: { XDG_CONFIG_HOME: config } });
const target = await serviceWorkerTarget(launched.browser);
const page = await openExtensionPage(launched.browser, process.env.P ?? 'options.html');
const session = await target.createCDPSession();
await session.send('Profiler.enable');
await session.send('Profiler.setSamplingInterval', { interval: 1000 });
await session.send('Profiler.start');
const t = performance.now();
await page.evaluate(() => chrome.runtime.sendMessage({ type: 'hydraflow/command', method: 'history.import', params: { profileId: 'chromium:Bench' } }));
for (;;) {
  const done = await page.evaluate(() => new Promise<string>((resolve) => { const o = indexedDB.open('hydraflow'); o.onsuccess = () => { const r = o.result.transaction('jobs').objectStore('jobs').getAll(); r.onsuccess = () => { o.result.close(); resolve((r.result as { status: string }[])[0]?.status ?? 'none'); }; }; }));
  if (done !== 'running' && done !== 'queued' && done !== 'none') break;
  await new Promise((r) => setTimeout(r, 250));
}
console.log('import ms', Math.round(performance.now() - t));
const { profile: cpu } = (await session.send('Profiler.stop')) as { profile: { nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; hitCount?: number }[]; samples: number[]; timeDeltas: number[] } };
const self = new Map<string, number>();
const byId = new Map(cpu.nodes.map((n) => [n.id, n]));
cpu.samples.forEach((id, i) => { const n = byId.get(id)!; const k = `${n.callFrame.functionName || '(anon)'} ${n.callFrame.url.split('/').pop()}:${n.callFrame.lineNumber}`; self.set(k, (self.get(k) ?? 0) + (cpu.timeDeltas[i] ?? 0)); });
const total = [...self.values()].reduce((a, b) => a + b, 0);
for (const [k, v] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 25)) console.log((v / 1000).toFixed(0).padStart(7), 'ms', ((v / total) * 100).toFixed(1).padStart(5), '%', k);
await launched.close();
rmSync(dir, { recursive: true, force: true });
