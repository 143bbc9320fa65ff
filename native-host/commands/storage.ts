/** Host storage methods: disk use, size-capped prune, wipe (native-host/storage/disk.ts). */
import { ok } from '../../shared/errors';
import type { HostEnv } from '../host-env';
import type { Handlers } from '../router';
import { diskUsage, pruneDisk, wipeDisk } from '../storage/disk';

export function storageHandlers(env: HostEnv): Pick<Handlers, 'storage.usage' | 'storage.prune' | 'storage.wipe'> {
  const { dataDir, logDir } = env.paths;
  return {
    'storage.usage': async () => ok(diskUsage(dataDir, logDir)),
    'storage.prune': async (params) => {
      const result = pruneDisk(dataDir, logDir, params);
      env.log.info('storage pruned', result);
      return ok(result);
    },
    'storage.wipe': async () => {
      const result = wipeDisk(dataDir, logDir);
      env.log.info('host data wiped', result);
      return ok(result);
    },
  };
}
