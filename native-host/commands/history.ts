/**
 * Host handlers for the history capability. A history file is named by the profile id that
 * discovery returned, by folder id and plain name in an allowed folder, or handed over as bytes
 * (a file the user picked in the browser: history.upload*): never by a path. `history.read` reads one page of visits (at most
 * `limit`) so the extension pulls at the pace it can write: its memory stays bounded and its
 * cursor (the last position it stored) is always a valid place to continue from.
 */
import { homedir } from 'node:os';
import { join } from 'node:path';
import { deflateRawSync } from 'node:zlib';
import { CodedError, ok } from '../../shared/errors';
import { VisitColumnsBuilder } from '../../shared/history/columns';
import type { HistoryVisit } from '../../shared/history/visit';
import { STREAM_PART_BYTES } from '../../shared/protocol/limits';
import { allowedFolders, checkFileName, resolveFolder } from '../core/folders';
import type { HostEnv } from '../host-env';
import { readConfig } from '../repo/config';
import { discoverProfiles } from '../history/profiles';
import { estimateBytes, openHistoryFile, type HistoryPosition } from '../history/read';
import { appendUpload, dropUpload, openUpload, uploadPath } from '../history/uploads';
import type { Handlers } from '../router';

/** Leaves room for the envelope and JSON escaping differences under the 512 KiB event budget. */
const EVENT_BUDGET_BYTES = STREAM_PART_BYTES - 16 * 1024;

export function historyHandlers(env: HostEnv): Pick<Handlers, 'history.profiles' | 'history.read' | 'history.summary' | 'history.uploadOpen' | 'history.uploadChunk' | 'history.uploadDrop'> {
  const profiles = () => discoverProfiles(env.platform, homedir(), process.env);
  /** The reader of the file a request names: a profile by id, an uploaded file, or a plain name in an allowed folder. */
  const open = (params: { profileId?: string | undefined; uploadId?: string | undefined; file?: { folderId: string; name: string } | undefined }) => {
    if (params.profileId !== undefined) {
      const profile = profiles().find((p) => p.id === params.profileId);
      if (!profile) throw new CodedError('HISTORY_PROFILE_NOT_FOUND', `No browser profile "${params.profileId.slice(0, 300)}" on this machine`);
      return openHistoryFile(profile.historyPath, { source: profile.browser, dataDir: env.paths.dataDir });
    }
    if (params.uploadId !== undefined) return openHistoryFile(uploadPath(params.uploadId), { noFollow: true, dataDir: env.paths.dataDir });
    const folder = resolveFolder(allowedFolders(env.paths, readConfig(env.paths.configFile).folders), params.file!.folderId);
    return openHistoryFile(join(folder.path, checkFileName(params.file!.name)), { noFollow: true, dataDir: env.paths.dataDir });
  };
  return {
    async 'history.profiles'() {
      return ok({ profiles: profiles() });
    },
    async 'history.uploadOpen'() {
      return ok({ uploadId: openUpload(env.paths.dataDir) });
    },
    async 'history.uploadChunk'(params) {
      return ok({ bytes: appendUpload(params.uploadId, params.offset, Buffer.from(params.data, 'base64')) });
    },
    async 'history.uploadDrop'(params) {
      return ok({ dropped: dropUpload(params.uploadId) });
    },
    async 'history.summary'(params) {
      const reader = open(params);
      try {
        return ok({ source: reader.source, ...reader.summary() });
      } finally {
        reader.close();
      }
    },
    async 'history.read'(params, ctx) {
      const reader = open(params);
      try {
        const filter = { after: params.after, ...(params.since === undefined ? {} : { since: params.since }), ...(params.days === undefined ? {} : { days: params.days }) };
        const remaining = reader.count(filter);
        ctx.emit('progress', { done: 0, total: Math.min(remaining, params.limit), remaining });
        // The event's visits: objects (the default) or columns (`encoding: "columns"`).
        const columns = params.encoding === 'columns' ? new VisitColumnsBuilder(reader.source) : null;
        // Deflated at level 1: ~6× smaller (the bench's 51.8 MB of columns: 8.0 MB of base64) for
        // ~0.2 s of the host's ~2.9 s (docs/protocol.md, "history.read encodings").
        const deflate = params.compression === 'deflate-raw';
        let pending: HistoryVisit[] = [];
        let pendingBytes = 0;
        let pendingInvalid = 0;
        let position: HistoryPosition | null = null;
        let read = 0;
        let invalid = 0;
        const flush = () => {
          if (!position || ((columns ? columns.size : pending.length) === 0 && pendingInvalid === 0)) return;
          const envelope = { invalid: pendingInvalid, position };
          if (!columns) ctx.emit('items', { visits: pending, ...envelope });
          else if (deflate) ctx.emit('items', { deflated: deflateRawSync(JSON.stringify(columns.take()), { level: 1 }).toString('base64'), ...envelope });
          else ctx.emit('items', { columns: columns.take(), ...envelope });
          ctx.emit('progress', { done: read, total: Math.min(remaining, params.limit), remaining });
          pending = [];
          pendingBytes = 0;
          pendingInvalid = 0;
        };
        // A batch's position names its last row, so events end on batch boundaries; batches are
        // capped at half the budget, and an event is sent before a batch would overflow it (a
        // batch's bound counts every visit as new: in columns a repeated pair costs far less).
        for (const batch of reader.batches({ ...filter, limit: params.limit, batchSize: 500, maxBatchBytes: EVENT_BUDGET_BYTES / 2, signal: ctx.signal })) {
          let batchBytes = 0;
          for (const visit of batch.visits) batchBytes += estimateBytes(visit.url, visit.title);
          if (pendingBytes + batchBytes > EVENT_BUDGET_BYTES) flush();
          if (columns) {
            for (const visit of batch.visits) pendingBytes += columns.add(visit);
          } else {
            pending.push(...batch.visits);
            pendingBytes += batchBytes;
          }
          pendingInvalid += batch.invalid;
          invalid += batch.invalid;
          read += batch.visits.length + batch.invalid;
          position = batch.position;
        }
        flush();
        // After the items (the extension is already storing them): the summary of this call's snapshot.
        const summary = params.summary ? reader.summary() : undefined;
        return ok({ kind: reader.kind, source: reader.source, remaining, read, invalid, position, done: read >= remaining, ...(summary ? { summary } : {}) });
      } finally {
        reader.close();
      }
    },
  };
}
