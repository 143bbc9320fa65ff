import { CodedError } from '../../shared/errors';
import type { CommandHandlers } from '../commands/router';
import type { HydraDb } from '../db';
import { failJob } from '../jobs';
import { cancelRunning, startExport } from './export';
import type { BundleHost } from './files';
import { cancelRunningImport, previewFile, startImport } from './import';

export function bundleCommandHandlers(db: HydraDb, host: BundleHost): Pick<CommandHandlers, 'bundles.export' | 'bundles.preview' | 'bundles.import' | 'bundles.cancel' | 'bundles.files'> {
  return {
    'bundles.export': async (params) => ({ jobId: await startExport(db, host, params.scope, params.destination) }),
    'bundles.preview': (params) => previewFile(db, host, params.file),
    'bundles.import': async (params) => ({ jobId: await startImport(db, host, params.file) }),
    'bundles.cancel': async (params) => {
      if (cancelRunning(params.jobId) || cancelRunningImport(params.jobId)) return { cancelled: true };
      const job = await db.jobs.get(params.jobId);
      if (!job || (job.type !== 'bundle_export' && job.type !== 'bundle_import') || (job.status !== 'running' && job.status !== 'queued')) return { cancelled: false };
      await failJob(db, params.jobId, { code: 'CANCELLED', message: 'Cancelled' });
      return { cancelled: true };
    },
    'bundles.files': async () => {
      const reply = await host.request('bundle.list', {});
      if (!reply.ok) throw new CodedError(reply.error.code, reply.error.message);
      return reply.result;
    },
  };
}
