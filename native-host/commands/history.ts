/**
 * Host handlers for the history capability. `history.read` reads one page of visits (at most
 * `limit`) so the extension pulls at the pace it can write: its memory stays bounded and its
 * cursor (the last position it stored) is always a valid place to continue from.
 */
import { homedir } from 'node:os';
import { CodedError, ok } from '../../shared/errors';
import type { HistoryVisit } from '../../shared/history/visit';
import { STREAM_PART_BYTES } from '../../shared/protocol/limits';
import type { HostEnv } from '../host-env';
import { discoverProfiles } from '../history/profiles';
import { estimateBytes, openHistoryFile, type HistoryPosition } from '../history/read';
import type { Handlers } from '../router';

/** Leaves room for the envelope and JSON escaping differences under the 512 KiB event budget. */
const EVENT_BUDGET_BYTES = STREAM_PART_BYTES - 16 * 1024;

export function historyHandlers(env: HostEnv): Pick<Handlers, 'history.profiles' | 'history.read'> {
  const profiles = () => discoverProfiles(env.platform, homedir(), process.env);
  return {
    async 'history.profiles'() {
      return ok({ profiles: profiles() });
    },
    async 'history.read'(params, ctx) {
      let path = params.path;
      let source;
      if (params.profileId !== undefined) {
        const profile = profiles().find((p) => p.id === params.profileId);
        if (!profile) throw new CodedError('HISTORY_PROFILE_NOT_FOUND', `No browser profile "${params.profileId}" on this machine`);
        path = profile.historyPath;
        source = profile.browser;
      }
      const reader = openHistoryFile(path!, source ? { source } : {});
      try {
        const filter = { after: params.after, ...(params.since === undefined ? {} : { since: params.since }) };
        const remaining = reader.count(filter);
        ctx.emit('progress', { done: 0, total: Math.min(remaining, params.limit), remaining });
        let pending: HistoryVisit[] = [];
        let pendingBytes = 0;
        let pendingInvalid = 0;
        let position: HistoryPosition | null = null;
        let read = 0;
        let invalid = 0;
        const flush = () => {
          if (!position || (pending.length === 0 && pendingInvalid === 0)) return;
          ctx.emit('items', { visits: pending, invalid: pendingInvalid, position });
          ctx.emit('progress', { done: read, total: Math.min(remaining, params.limit), remaining });
          pending = [];
          pendingBytes = 0;
          pendingInvalid = 0;
        };
        // A batch's position names its last row, so events end on batch boundaries; batches are
        // capped at half the budget, and an event is sent before a batch would overflow it.
        for (const batch of reader.batches({ ...filter, limit: params.limit, batchSize: 500, maxBatchBytes: EVENT_BUDGET_BYTES / 2, signal: ctx.signal })) {
          let batchBytes = 0;
          for (const visit of batch.visits) batchBytes += estimateBytes(visit.url, visit.title);
          if (pendingBytes + batchBytes > EVENT_BUDGET_BYTES) flush();
          pending.push(...batch.visits);
          pendingBytes += batchBytes;
          pendingInvalid += batch.invalid;
          invalid += batch.invalid;
          read += batch.visits.length + batch.invalid;
          position = batch.position;
        }
        flush();
        return ok({ kind: reader.kind, source: reader.source, remaining, read, invalid, position, done: read >= remaining });
      } finally {
        reader.close();
      }
    },
  };
}
