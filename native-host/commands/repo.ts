/** Repo tools methods over the native-messaging protocol; the work is in native-host/repo. */
import { err, ok } from '../../shared/errors';
import type { HostEnv } from '../host-env';
import { applyPatch, check, ledger, listRepos, revertChange, type RepoContext } from '../repo/service';
import type { Handlers } from '../router';

/** Output events are batched to about this many characters (a few frames a second, not thousands). */
const OUTPUT_EVENT_CHARS = 64 * 1024;
const OUTPUT_EVENT_MS = 100;

export function repoHandlers(env: HostEnv): Pick<Handlers, 'repo.list' | 'repo.apply' | 'repo.revert' | 'repo.ledger' | 'repo.check'> {
  const ctx: RepoContext = { configFile: env.paths.configFile, dataDir: env.paths.dataDir };
  return {
    async 'repo.list'() {
      return ok({ repos: listRepos(ctx) });
    },
    async 'repo.apply'(params) {
      const source = params.patch !== undefined ? { text: params.patch } : { sha256: params.patchSha256! };
      const outcome = await applyPatch(ctx, params.repoId, source, params.dryRun);
      env.log.info('repo.apply', { repoId: params.repoId, changeId: outcome.changeId, dryRun: outcome.dryRun, files: outcome.files, patchSha256: outcome.patchSha256, byHash: params.patch === undefined });
      return ok(outcome);
    },
    async 'repo.revert'(params) {
      const entry = await revertChange(ctx, params.repoId, params.changeId);
      env.log.info('repo.revert', { repoId: params.repoId, changeId: entry.changeId, revertOf: params.changeId });
      return ok({ ...entry, revertedBy: null });
    },
    async 'repo.ledger'(params) {
      return ok({ entries: await ledger(ctx, params.repoId) });
    },
    async 'repo.check'(params, handlerCtx) {
      let pending = '';
      let timer: ReturnType<typeof setTimeout> | null = null;
      const flush = () => {
        if (timer) clearTimeout(timer);
        timer = null;
        if (pending) handlerCtx.emit('output', { text: pending });
        pending = '';
      };
      const result = await check(ctx, params.repoId, params.checkId, {
        signal: handlerCtx.signal,
        onOutput: (text) => {
          pending += text;
          if (pending.length >= OUTPUT_EVENT_CHARS) flush();
          else timer ??= setTimeout(flush, OUTPUT_EVENT_MS);
        },
      });
      flush();
      if (result.cancelled) return err('CANCELLED', `Check ${params.checkId} was cancelled`);
      const { cancelled: _cancelled, ...rest } = result;
      return ok(rest);
    },
  };
}
