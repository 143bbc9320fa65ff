/** Foundation methods: `hello` (handshake) and `cancel`. */
import { err, ok } from '../../shared/errors';
import { extensionUpdateHint } from '../../shared/host-install';
import { MIN_EXTENSION_PROTOCOL_VERSION, PROTOCOL_VERSION } from '../../shared/version';
import type { HostEnv } from '../host-env';
import type { Handlers } from '../router';
import { HOST_VERSION } from '../version';

export function hostHandlers(_env: HostEnv, capabilities: () => string[]): Pick<Handlers, 'hello' | 'cancel'> {
  return {
    async hello(params) {
      if (params.protocolVersion < MIN_EXTENSION_PROTOCOL_VERSION) {
        const extension = params.clientVersion ? `the extension ${params.clientVersion}` : 'the extension';
        return err(
          'INCOMPATIBLE_PROTOCOL',
          `The installed host ${HOST_VERSION} (protocol ${PROTOCOL_VERSION}) is newer than ${extension} (protocol ${params.protocolVersion}). ${extensionUpdateHint(HOST_VERSION, params.clientVersion)}`,
          { hostVersion: HOST_VERSION, protocolVersion: PROTOCOL_VERSION },
        );
      }
      return ok({
        hostVersion: HOST_VERSION,
        protocolVersion: PROTOCOL_VERSION,
        capabilities: capabilities(),
        platform: process.platform,
        nodeVersion: process.version,
      });
    },
    async cancel(params, ctx) {
      return ok({ cancelled: ctx.cancelRequest(params.requestId) });
    },
  };
}
