/** Shows the native host's state: connected (version), not installed (exact command), incompatible. */
import type { HostStatus } from '../../../shared/commands/host';
import { useCommand } from '../hooks';
import { t } from '../i18n';
import { CopyableCommand } from './CopyableCommand';
import { ErrorText } from './ErrorText';

export function HostStatusView({ compact = false }: { compact?: boolean }) {
  const [status, reload] = useCommand('host.status', { refresh: false });
  return (
    <section class="host-status" data-testid="host-status" data-state={status.state === 'ready' ? status.value.state : status.state}>
      <h2>{t('hostTitle')}</h2>
      {status.state === 'loading' && <p class="muted">{t('hostConnecting')}</p>}
      {status.state === 'failed' && <ErrorText error={status.error} />}
      {status.state === 'ready' && <HostStatusBody status={status.value} compact={compact} />}
      <button type="button" class="link" data-testid="host-check-again" onClick={() => reload({ refresh: true })}>
        {t('hostCheckAgain')}
      </button>
    </section>
  );
}

function HostStatusBody({ status, compact }: { status: HostStatus; compact: boolean }) {
  switch (status.state) {
    case 'connected':
      return (
        <p class="ok" data-testid="host-connected">
          {t('hostConnected', status.hostVersion, status.protocolVersion)}
          {!compact && <span class="muted"> · {t('hostCapabilities', status.capabilities.length)}</span>}
        </p>
      );
    case 'not_installed':
      return (
        <div data-testid="host-not-installed">
          <p class="warn">{t('hostNotInstalled')}</p>
          <p>{t('hostRunThis')}</p>
          <CopyableCommand command={status.installCommand} label={t('copyInstallCommand')} />
          <p class="muted" data-testid="user-data-dir-hint">
            {t('hostUserDataDirHint')}
          </p>
        </div>
      );
    case 'incompatible':
      return (
        <div data-testid="host-incompatible">
          <p class="warn">{t('hostIncompatible', status.message)}</p>
          <CopyableCommand command={status.installCommand} label={t('copyInstallCommand')} />
        </div>
      );
    case 'error':
      return (
        <div data-testid="host-error">
          <ErrorText error={status.error} />
        </div>
      );
  }
}
