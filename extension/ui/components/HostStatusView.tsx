/** Shows the native host's state: connected (version), not installed (exact command), incompatible. */
import type { HostStatus } from '../../../shared/commands/host';
import { useCommand } from '../hooks';
import { CopyableCommand } from './CopyableCommand';

export function HostStatusView({ compact = false }: { compact?: boolean }) {
  const [status, reload] = useCommand('host.status', { refresh: false });
  return (
    <section class="host-status" data-testid="host-status" data-state={status.state === 'ready' ? status.value.state : status.state}>
      <h2>Native host</h2>
      {status.state === 'loading' && <p class="muted">Connecting…</p>}
      {status.state === 'failed' && <p class="error">{status.error.message}</p>}
      {status.state === 'ready' && <HostStatusBody status={status.value} compact={compact} />}
      <button type="button" class="link" data-testid="host-check-again" onClick={() => reload({ refresh: true })}>
        Check again
      </button>
    </section>
  );
}

function HostStatusBody({ status, compact }: { status: HostStatus; compact: boolean }) {
  switch (status.state) {
    case 'connected':
      return (
        <p class="ok" data-testid="host-connected">
          Connected — host {status.hostVersion} (protocol {status.protocolVersion})
          {!compact && <span class="muted"> · {status.capabilities.length} capabilities</span>}
        </p>
      );
    case 'not_installed':
      return (
        <div data-testid="host-not-installed">
          <p class="warn">Not installed. History import from disk, bundle files and repo tools need the native host.</p>
          <p>With Node.js 20.19 or later, run this in a terminal, then click “Check again”:</p>
          <CopyableCommand command={status.installCommand} />
          <p class="muted" data-testid="user-data-dir-hint">
            Started this browser with --user-data-dir? Run the command while the browser is open: it installs into that profile too.
          </p>
        </div>
      );
    case 'incompatible':
      return (
        <div data-testid="host-incompatible">
          <p class="warn">Incompatible host: {status.message}</p>
          <CopyableCommand command={status.installCommand} />
        </div>
      );
    case 'error':
      return (
        <p class="error" data-testid="host-error">
          {status.error.code}: {status.error.message}
        </p>
      );
  }
}
