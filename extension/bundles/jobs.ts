/** The bundles capability's job types: export (not resumable) and import (resumable from its cursor). */
import { z } from 'zod';
import { exportDestination, exportScope } from '../../shared/commands/bundles';
import { CodedError } from '../../shared/errors';
import type { HydraDb } from '../db';
import { defineJobType, type JobTypeRegistration } from '../jobs';
import { cancelRunning, startExport } from './export';
import type { BundleHost } from './files';
import { cancelRunningImport, importParams, resumeBundleImport, startImport } from './import';

export function bundleJobTypes(db: HydraDb, host: BundleHost): JobTypeRegistration[] {
  return [
    defineJobType('bundle_export', {
      params: z.object({ scope: exportScope, destination: exportDestination }),
      cancel: (job) => cancelRunning(job.id),
      retry: (params) => startExport(db, host, params.scope, params.destination),
    }),
    defineJobType('bundle_import', {
      params: importParams,
      cancel: (job) => cancelRunningImport(job.id),
      retry: ({ file }) => {
        if (file.kind === 'staged') throw new CodedError('JOB_NOT_RETRYABLE', 'The picked file is no longer staged: pick it again');
        return startImport(db, host, file);
      },
      resume: (job) => resumeBundleImport(db, host, job),
    }),
  ];
}
