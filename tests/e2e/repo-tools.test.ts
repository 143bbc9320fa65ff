/**
 * Repo tools end to end: in real Chromium, a patch is previewed in the side panel (diff, budget
 * use), applied through the real installed host to a temp repository only after the user clicks
 * Apply, shows up in the ledger and can be reverted; a registered check's output streams into the
 * panel. Every apply, revert and check run is a job in the extension's jobs ledger.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'puppeteer-core';
import { runCli } from '../support/cli';
import { EXTENSION_DIR, launchWithExtension, openExtensionPage, type LaunchedBrowser } from '../support/chromium';

const PATCH = `diff --git a/greeting.txt b/greeting.txt
--- a/greeting.txt
+++ b/greeting.txt
@@ -1,2 +1,2 @@
 hello
-world
+HydraFlow
`;

async function setPatch(page: Page, text: string): Promise<void> {
  await page.$eval(
    '[data-testid=patch-input]',
    (el, value) => {
      (el as HTMLTextAreaElement).value = value;
      el.dispatchEvent(new Event('input', { bubbles: true }));
    },
    text,
  );
}

async function jobs(page: Page): Promise<[string, string][]> {
  return page.evaluate(
    () =>
      new Promise<[string, string][]>((resolve, reject) => {
        const open = indexedDB.open('hydraflow');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const request = open.result.transaction('jobs').objectStore('jobs').getAll();
          request.onsuccess = () => resolve((request.result as { type: string; status: string }[]).map((job) => [job.type, job.status]));
        };
      }),
  );
}

describe('repo tools in the side panel', () => {
  let launched: LaunchedBrowser | undefined;
  const cleanup: string[] = [];

  beforeAll(() => {
    expect(existsSync(join(EXTENSION_DIR, 'manifest.json')), 'extension built (npm run build)').toBe(true);
  });

  afterEach(async () => {
    await launched?.close();
    launched = undefined;
    for (const dir of cleanup.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  const tempDir = (prefix: string) => {
    const dir = mkdtempSync(join(tmpdir(), prefix));
    cleanup.push(dir);
    return dir;
  };

  it('applies a patch after approval, lists and reverts it, and streams a registered check', async () => {
    const home = tempDir('hf-home-');
    const userDataDir = tempDir('hf-profile-');
    const repo = tempDir('hf-e2e-repo-');
    writeFileSync(join(repo, 'greeting.txt'), 'hello\nworld\n');
    expect(runCli(['install', '--user-data-dir', userDataDir], { HYDRAFLOW_HOME: home }).status).toBe(0);
    expect(runCli(['repo', 'add', 'demo', repo], { HYDRAFLOW_HOME: home }).status).toBe(0);
    const script = "const fs=require('fs');console.log('CHECK-START');setTimeout(()=>console.log('CHECK-SAYS', fs.readFileSync('greeting.txt','utf8').split('\\n')[1]),300)";
    expect(runCli(['repo', 'check-add', 'demo', 'show', '--timeout', '30', '--', process.execPath, '-e', script], { HYDRAFLOW_HOME: home }).status).toBe(0);

    expect(runCli(['repo', 'check-add', 'demo', 'hang', '--', 'sh', '-c', 'echo "sleeper $$"; exec sleep 600'], { HYDRAFLOW_HOME: home }).status).toBe(0);

    launched = await launchWithExtension({ userDataDir });
    const page = await openExtensionPage(launched.browser, 'sidepanel.html');
    await page.waitForSelector('[data-testid=repo-select]', { timeout: 30_000 });
    await setPatch(page, PATCH);

    // Preview: the diff and the budget use, and nothing written yet.
    await page.waitForSelector('[data-testid=patch-preview]', { timeout: 30_000 });
    expect(await page.$eval('[data-testid=budget-files]', (el) => el.textContent)).toBe('1 / 50');
    expect(await page.$eval('[data-testid=budget-lines]', (el) => el.textContent)).toBe('2 / 4,000');
    expect(await page.$eval('[data-testid=diff-view]', (el) => el.textContent)).toContain('+HydraFlow');
    expect(readFileSync(join(repo, 'greeting.txt'), 'utf8')).toBe('hello\nworld\n');

    // Approval: only now is the file written.
    await page.click('[data-testid=patch-apply]');
    const applied = await page.waitForSelector('[data-testid=patch-applied]', { timeout: 30_000 });
    const changeId = await applied!.evaluate((el) => el.getAttribute('data-change-id'));
    expect(changeId).toMatch(/^[a-z0-9]+-[0-9a-f]{8}$/);
    expect(readFileSync(join(repo, 'greeting.txt'), 'utf8')).toBe('hello\nHydraFlow\n');
    await page.waitForSelector(`[data-testid=ledger-entry][data-change-id="${changeId}"]`, { timeout: 30_000 });

    // The registered check runs by id; its output streams into the panel.
    await page.click('[data-testid=check-run-show]');
    await page.waitForSelector('[data-testid=check-run][data-status=succeeded]', { timeout: 60_000 });
    const output = await page.$eval('[data-testid=check-output]', (el) => el.textContent);
    expect(output).toContain('CHECK-START');
    expect(output).toContain('CHECK-SAYS HydraFlow');
    expect(await page.$eval('[data-testid=check-summary]', (el) => el.textContent)).toMatch(/^Exit 0/);

    // Revert from the ledger restores the exact bytes.
    await page.click(`[data-testid=ledger-entry][data-change-id="${changeId}"] [data-testid=ledger-revert]`);
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=ledger-entry]').length === 2, { timeout: 30_000 });
    expect(readFileSync(join(repo, 'greeting.txt'), 'utf8')).toBe('hello\nworld\n');

    // The approval named the previewed patch by its SHA-256: the host still held the preview.
    const hostLog = () => readFileSync(join(home, 'data', 'logs', 'host.log'), 'utf8').split('\n');
    const applies = () => hostLog().filter((line) => line.includes(' repo.apply ') && line.includes('"dryRun":false'));
    expect(applies()).toHaveLength(1);
    expect(applies()[0]).toContain('"byHash":true');

    // The host dies between the preview and the approval (it also exits when the connection has
    // been idle for a minute): the new host does not know the hash, and the extension sends the text.
    await setPatch(page, PATCH.replace('+HydraFlow', '+again'));
    await page.waitForSelector('[data-testid=patch-apply]', { timeout: 30_000 });
    const previewLine = hostLog().filter((line) => line.includes(' repo.apply ') && line.includes('"dryRun":true')).at(-1)!;
    const previewPid = Number(/\[(\d+)\]/.exec(previewLine)![1]);
    process.kill(previewPid, 'SIGKILL');
    await expect.poll(() => existsSync(`/proc/${previewPid}`), { timeout: 10_000 }).toBe(false);
    await page.click('[data-testid=patch-apply]');
    const reapplied = await page.waitForSelector('[data-testid=patch-applied]', { timeout: 30_000 });
    expect(readFileSync(join(repo, 'greeting.txt'), 'utf8')).toBe('hello\nagain\n');
    // The ledger (above the checks) lists the new change; until it does, the Run buttons below it
    // are still moving down, and a click aimed at one lands on whatever took its place.
    const reappliedId = await reapplied!.evaluate((el) => el.getAttribute('data-change-id'));
    await page.waitForSelector(`[data-testid=ledger-entry][data-change-id="${reappliedId}"]`, { timeout: 30_000 });
    expect(applies()).toHaveLength(2);
    expect(applies()[1]).toContain('"byHash":false');
    expect(applies()[1]).not.toContain(`[${previewPid}]`);

    // A running check can be stopped: the host kills its process group and the job ends cancelled.
    await page.click('[data-testid=check-run-hang]');
    await page.waitForFunction(() => /sleeper \d+/.test(document.querySelector('[data-testid=check-output]')?.textContent ?? ''), { timeout: 30_000 });
    expect(await page.$('[data-testid=check-progress]')).not.toBeNull();
    const sleeper = Number(/sleeper (\d+)/.exec((await page.$eval('[data-testid=check-output]', (el) => el.textContent)) ?? '')![1]);
    await page.click('[data-testid=check-stop]');
    await page.waitForSelector('[data-testid=check-run][data-status=cancelled]', { timeout: 30_000 });
    expect(() => process.kill(sleeper, 0)).toThrow();

    const recorded = await jobs(page);
    expect(recorded).toEqual(expect.arrayContaining([['patch_apply', 'succeeded'], ['check_run', 'succeeded'], ['patch_revert', 'succeeded'], ['check_run', 'cancelled']]));
  });

  it('shows the refusal code of a hostile patch and writes nothing; applies only with the preview\'s one-time token', async () => {
    const home = tempDir('hf-home-');
    const userDataDir = tempDir('hf-profile-');
    const repo = tempDir('hf-e2e-repo-');
    writeFileSync(join(repo, 'a.txt'), 'a\n');
    expect(runCli(['install', '--user-data-dir', userDataDir], { HYDRAFLOW_HOME: home }).status).toBe(0);
    expect(runCli(['repo', 'add', 'demo', repo], { HYDRAFLOW_HOME: home }).status).toBe(0);
    launched = await launchWithExtension({ userDataDir });
    const page = await openExtensionPage(launched.browser, 'sidepanel.html');
    await page.waitForSelector('[data-testid=repo-select]', { timeout: 30_000 });
    await setPatch(page, '*** Begin Patch\n*** Add File: ../escape.txt\n+owned\n*** End Patch\n');
    const refused = await page.waitForSelector('[data-testid=patch-refused]', { timeout: 30_000 });
    expect(await refused!.evaluate((el) => el.getAttribute('data-code'))).toBe('PATH_TRAVERSAL');
    expect(await page.$('[data-testid=patch-apply]')).toBeNull();
    expect(existsSync(join(repo, '..', 'escape.txt'))).toBe(false);

    // repo.apply needs the one-time approval token of a preview of this very patch.
    type Reply = { ok: boolean; result?: { approvalToken?: string }; error?: { code: string } };
    const send = (method: string, params: unknown) => page.evaluate((m, p) => chrome.runtime.sendMessage({ type: 'hydraflow/command', method: m, params: p }), method, params as never) as Promise<Reply>;
    const mine = '*** Begin Patch\n*** Add File: b.txt\n+b\n*** End Patch\n';
    const other = mine.replaceAll('b', 'c');
    const needsApproval = { ok: false, error: { code: 'APPROVAL_REQUIRED' } };
    expect(await send('repo.apply', { repoId: 'demo', patch: mine }), 'no token').toMatchObject(needsApproval);
    expect(await send('repo.apply', { repoId: 'demo', patch: mine, approvalToken: 'f'.repeat(64) }), 'made-up token').toMatchObject(needsApproval);
    const otherToken = (await send('repo.preview', { repoId: 'demo', patch: other })).result!.approvalToken!;
    expect(await send('repo.apply', { repoId: 'demo', patch: mine, approvalToken: otherToken }), "another patch's token").toMatchObject(needsApproval);
    const token = (await send('repo.preview', { repoId: 'demo', patch: mine })).result!.approvalToken!;
    expect(await send('repo.apply', { repoId: 'demo', patch: mine, approvalToken: token })).toMatchObject({ ok: true });
    expect(readFileSync(join(repo, 'b.txt'), 'utf8')).toBe('b\n');
    rmSync(join(repo, 'b.txt'));
    expect(await send('repo.apply', { repoId: 'demo', patch: mine, approvalToken: token }), 'used token').toMatchObject(needsApproval);
    expect(await send('repo.apply', { repoId: 'demo', patch: other, approvalToken: otherToken }), 'a token presented once with the wrong patch is spent').toMatchObject(needsApproval);
    expect(existsSync(join(repo, 'b.txt'))).toBe(false);
    expect(existsSync(join(repo, 'c.txt'))).toBe(false);
  });

  it('applies a diff from an assistant reply in a thread, through the host, after approval', async () => {
    const home = tempDir('hf-home-');
    const userDataDir = tempDir('hf-profile-');
    const repo = tempDir('hf-e2e-repo-');
    writeFileSync(join(repo, 'greeting.txt'), 'hello\nworld\n');
    expect(runCli(['install', '--user-data-dir', userDataDir], { HYDRAFLOW_HOME: home }).status).toBe(0);
    expect(runCli(['repo', 'add', 'demo', repo], { HYDRAFLOW_HOME: home }).status).toBe(0);
    // A loopback model that answers with a fenced diff, the way coding models do.
    const reply = `Here is the change:\n\n\`\`\`diff\n${PATCH}\`\`\`\n`;
    const model = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        if (req.method === 'GET') {
          res.writeHead(200, { 'content-type': 'text/html' }).end('<title>Code review</title><p>A page to discuss a change on.</p>');
          return;
        }
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.end(`data: ${JSON.stringify({ choices: [{ delta: { content: reply } }] })}\n\ndata: [DONE]\n\n`);
      });
    });
    await new Promise<void>((resolve) => model.listen(0, '127.0.0.1', resolve));
    try {
      launched = await launchWithExtension({ userDataDir });
      const site = await launched.browser.newPage();
      const modelUrl = `http://127.0.0.1:${(model.address() as AddressInfo).port}`;
      await site.goto(`${modelUrl}/review`);
      const page = await openExtensionPage(launched.browser, 'sidepanel.html');
      const tabId = await page.evaluate(async (url) => (await chrome.tabs.query({ url }))[0]!.id!, `${modelUrl}/review`);
      await page.evaluate(
        (baseUrl) => chrome.runtime.sendMessage({ type: 'hydraflow/command', method: 'chat.setSettings', params: { settings: { kind: 'openai', baseUrl, model: 'coder' } } }),
        modelUrl,
      );
      await page.goto(page.url().replace(/sidepanel\.html.*$/, `sidepanel.html?tabId=${tabId}`));
      await page.waitForSelector('[data-testid=composer-send]', { timeout: 30_000 });
      await page.type('[data-testid=composer-input]', 'Change world to HydraFlow');
      await page.click('[data-testid=composer-send]');
      await page.waitForSelector('[data-testid=apply-to-repo]', { timeout: 30_000 });
      await page.click('[data-testid=apply-to-repo]');
      await page.waitForSelector('[data-testid=message] [data-testid=patch-preview]', { timeout: 30_000 });
      // Nothing is written before the user approves.
      expect(readFileSync(join(repo, 'greeting.txt'), 'utf8')).toBe('hello\nworld\n');
      await page.click('[data-testid=message] [data-testid=patch-apply]');
      await page.waitForSelector('[data-testid=message] [data-testid=patch-applied]', { timeout: 30_000 });
      expect(readFileSync(join(repo, 'greeting.txt'), 'utf8')).toBe('hello\nHydraFlow\n');
      expect(await jobs(page)).toContainEqual(['patch_apply', 'succeeded']);
    } finally {
      model.closeAllConnections();
      await new Promise((resolve) => model.close(resolve));
    }
  });
});
