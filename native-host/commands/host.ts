/** Foundation methods: `hello` (handshake) and `cancel`. */
import { err, ok } from '../../shared/errors';
import { MIN_EXTENSION_PROTOCOL_VERSION, PROTOCOL_VERSION } from '../../shared/version';
import type { HostEnv } from '../host-env';
import type { Handlers } from '../router';
import { HOST_VERSION } from '../version';

export function hostHandlers(_env: HostEnv, capabilities: () => string[]): Pick<Handlers, 'hello' | 'cancel'> {
  return {
    async hello(params) {
      if (params.protocolVersion < MIN_EXTENSION_PROTOCOL_VERSION) {
        return err(
          'INCOMPATIBLE_PROTOCOL',
          `This host (${HOST_VERSION}) speaks protocol ${PROTOCOL_VERSION}; the extension speaks ${params.protocolVersion}. Update the extension.`,
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
