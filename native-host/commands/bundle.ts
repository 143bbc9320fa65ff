/**
 * Host handlers for bundle files: list the bundle folder, stat and read slices of a file (the
 * extension decodes with the shared codec), and write a new file in slices (the extension
 * encodes). Writers live as long as this host process; one that is never closed is deleted.
 */
import { randomBytes } from 'node:crypto';
import { CodedError, ok } from '../../shared/errors';
import { createFileSink, fileInfo, listBundles, readFileSlice, targetPath, type FileSink } from '../bundle/files';
import type { HostEnv } from '../host-env';
import type { Handlers } from '../router';

export function bundleHandlers(env: HostEnv): Pick<Handlers, 'bundle.list' | 'bundle.stat' | 'bundle.readBytes' | 'bundle.writeOpen' | 'bundle.writeChunk' | 'bundle.writeClose' | 'bundle.writeAbort'> {
  const writers = new Map<string, FileSink>();
  const writer = (handle: string) => {
    const sink = writers.get(handle);
    if (!sink) throw new CodedError('NOT_FOUND', `No bundle being written with handle ${handle}`);
    return sink;
  };
  return {
    async 'bundle.list'() {
      return ok(listBundles(env.paths.dataDir));
    },
    async 'bundle.stat'(params) {
      return ok(fileInfo(params.path));
    },
    async 'bundle.readBytes'(params) {
      fileInfo(params.path);
      return ok({ data: Buffer.from(readFileSlice(params.path, params.offset, params.length)).toString('base64') });
    },
    async 'bundle.writeOpen'(params) {
      const sink = createFileSink(targetPath(env.paths.dataDir, params));
      const handle = `w${randomBytes(8).toString('hex')}`;
      writers.set(handle, sink);
      env.log.info('bundle write started', { path: sink.path });
      return ok({ handle, path: sink.path });
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
