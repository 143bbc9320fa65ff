import { CodedError } from '../../shared/errors';
import type { CommandHandlers } from '../commands/router';
import type { HydraDb } from '../db';
import type { HostConnection } from '../host/connection';
import { discardStaged, stagedBlob } from '../bundles';
import { deleteVisitsById } from '../visits';
import { rememberDeletedVisits } from './exclusions';
import { cancelImport, startHostImport, startTakeoutImport, startUploadImport } from './import';

export function historyCommandHandlers(
  db: HydraDb,
  host: HostConnection,
): Pick<CommandHandlers, 'history.profiles' | 'history.import' | 'history.importFile' | 'history.importTakeout' | 'history.cancelImport' | 'history.deleteVisits'> {
  return {
    'history.profiles': async () => {
      const reply = await host.request('history.profiles', {});
      if (!reply.ok) throw new CodedError(reply.error.code, reply.error.message);
      return reply.result;
    },
    'history.import': async (params) => {
      const target = params.profileId !== undefined ? { profileId: params.profileId } : { file: params.file! };
      return { jobId: await startHostImport(db, host, target, params.full) };
    },
    'history.importFile': async (params) => {
      try {
        return { jobId: await startUploadImport(db, host, await stagedBlob(params.stagedId)) };
      } finally {
        await discardStaged(params.stagedId);
      }
    },
    'history.importTakeout': async (params) => {
      const file = await stagedBlob(params.stagedId).catch(async (error: unknown) => {
        await discardStaged(params.stagedId);
        throw error;
      });
      return { jobId: await startTakeoutImport(db, params.fileName, file, () => discardStaged(params.stagedId)) };
    },
    'history.cancelImport': async (params) => ({ cancelled: await cancelImport(db, params.jobId) }),
    'history.deleteVisits': async (params) => {
      // Imports must not bring them back (extension/history/exclusions.ts).
      await rememberDeletedVisits(db, params.ids);
      return { deleted: await deleteVisitsById(db, params.ids) };
    },
  };
}
