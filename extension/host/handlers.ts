import type { CommandHandlers } from '../commands/router';
import type { HostConnection } from './connection';

export function hostCommandHandlers(host: HostConnection): Pick<CommandHandlers, 'host.status'> {
  return {
    'host.status': (params) => host.status(params.refresh),
  };
}
