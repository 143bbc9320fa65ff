/**
 * Host handlers for bundle files: list the allowed folders, stat and read slices of a file by
 * folder id and name (the extension decodes with the shared codec), and write a new file in
 * slices (the extension encodes) under a plain name, never over an existing one. Writers live
 * as long as this host process; one that is never closed is deleted.
 */
import { randomBytes } from 'node:crypto';
import { basename } from 'node:path';
import { CodedError, ok } from '../../shared/errors';
import { createFileSink, listBundles, readFileSlice, statInFolder, targetPath, type FileSink } from '../bundle/files';
import { allowedFolders, resolveFolder } from '../core/folders';
import type { HostEnv } from '../host-env';
import { readConfig } from '../repo/config';
import type { Handlers } from '../router';

export function bundleHandlers(env: HostEnv): Pick<Handlers, 'bundle.list' | 'bundle.stat' | 'bundle.readBytes' | 'bundle.writeOpen' | 'bundle.writeChunk' | 'bundle.writeClose' | 'bundle.writeAbort'> {
  const writers = new Map<string, FileSink>();
  // Read on every request: `hydraflow-host folders add|remove` takes effect without a restart.
  const folders = () => allowedFolders(env.paths, readConfig(env.paths.configFile).folders);
  const folder = (id: string) => resolveFolder(folders(), id);
  const writer = (handle: string) => {
    const sink = writers.get(handle);
    if (!sink) throw new CodedError('NOT_FOUND', `No bundle being written with handle ${handle}`);
    return sink;
  };
  return {
    async 'bundle.list'() {
      const all = folders();
      resolveFolder(all, all[0]!.id);
      return ok(listBundles(all));
    },
    async 'bundle.stat'(params) {
      return ok(statInFolder(folder(params.folderId), params.name));
    },
    async 'bundle.readBytes'(params) {
      return ok({ data: Buffer.from(readFileSlice(folder(params.folderId), params.name, params.offset, params.length)).toString('base64') });
    },
    async 'bundle.writeOpen'(params) {
      const target = folder(params.folderId);
      const sink = createFileSink(targetPath(target, params.fileName), target.id);
      const handle = `w${randomBytes(8).toString('hex')}`;
      writers.set(handle, sink);
      env.log.info('bundle write started', { path: sink.path });
      return ok({ handle, folderId: target.id, name: basename(sink.path), path: sink.path });
    },
    async 'bundle.writeChunk'(params) {
      const sink = writer(params.handle);
      if (params.offset !== sink.written) throw new CodedError('INVALID_PARAMS', `Chunk at offset ${params.offset}; ${sink.written} bytes written so far`);
      await sink.write(Buffer.from(params.data, 'base64'));
      return ok({ bytes: sink.written });
    },
    async 'bundle.writeClose'(params) {
      const sink = writer(params.handle);
      writers.delete(params.handle);
      const info = sink.close();
      env.log.info('bundle written', { path: info.path, bytes: info.size });
      return ok(info);
    },
    async 'bundle.writeAbort'(params) {
      const sink = writers.get(params.handle);
      writers.delete(params.handle);
      sink?.abort();
      return ok({ aborted: Boolean(sink) });
    },
  };
}
