/**
 * The welcome page, opened once when HydraFlow is installed (runtime.onInstalled): four steps a
 * new user walks through — the native host (its state and the exact install command for this
 * browser), the model endpoint (local servers found on their default ports, a test on save),
 * history import (the browser profiles the host found) and privacy (domains never captured).
 * Every step can be skipped; each works the same later from the options app.
 */
import { useState } from 'preact/hooks';
import type { HostStatus } from '../../../shared/commands/host';
import type { ModelSettings as Settings } from '../../../shared/commands/chat';
import { CopyableCommand } from '../components/CopyableCommand';
import { ErrorText } from '../components/ErrorText';
import { ImportPanel } from '../history/ImportPanel';
import { useCommand } from '../hooks';
import { t } from '../i18n';
import { BlocklistSettings } from '../settings/BlocklistSettings';
import { ModelSettings } from '../settings/ModelSettings';
import { installCommands, thisBrowserKind } from './install-command';

export function WelcomeApp() {
  return (
    <div class="welcome">
      <header class="app">
        <p class="brand">{t('appName')}</p>
      </header>
      <main id="main" class="app-main" data-testid="welcome">
        <h1 class="page-title">{t('welcomeTitle')}</h1>
        <p>{t('welcomeIntro')}</p>
        <ol class="steps">
          <li>
            <HostStep />
          </li>
          <li>
            <ModelStep />
          </li>
          <li>
            <section data-testid="welcome-history">
              <h2>{t('welcomeHistoryTitle')}</h2>
              <p class="hint">{t('welcomeHistoryHint')}</p>
              <ImportPanel />
            </section>
          </li>
          <li>
            <section data-testid="welcome-privacy">
              <h2>{t('welcomePrivacyTitle')}</h2>
              <p class="hint">{t('welcomePrivacyHint')}</p>
              <BlocklistSettings />
            </section>
          </li>
        </ol>
        <p class="form-row">
          <a class="button primary" href="options.html#overview" data-testid="welcome-done">
            {t('welcomeDone')}
          </a>
          <span class="hint">{t('welcomeDoneHint')}</span>
        </p>
      </main>
    </div>
  );
}

function HostStep() {
  const [status, reload] = useCommand('host.status', { refresh: false });
  const state = status.state === 'ready' ? status.value.state : status.state;
  return (
    <section data-testid="welcome-host" data-state={state}>
      <h2>{t('welcomeHostTitle')}</h2>
      <p class="hint">{t('welcomeHostHint')}</p>
      {status.state === 'loading' && <p class="muted">{t('hostConnecting')}</p>}
      {status.state === 'failed' && <ErrorText error={status.error} />}
      {status.state === 'ready' && <HostStepBody status={status.value} />}
      <button type="button" data-testid="welcome-host-check" onClick={() => reload({ refresh: true })}>
        {t('hostCheckAgain')}
      </button>
    </section>
  );
}

function HostStepBody({ status }: { status: HostStatus }) {
  if (status.state === 'connected') {
    return (
      <p class="ok" data-testid="host-connected">
        {t('hostConnected', status.hostVersion, status.protocolVersion)}
      </p>
    );
  }
  const kind = thisBrowserKind();
  const commands = installCommands(kind);
  return (
    <div data-testid="welcome-host-install">
      {status.state === 'error' ? <ErrorText error={status.error} /> : <p class="warn">{status.state === 'incompatible' ? t('hostIncompatible', status.message) : t('hostNotInstalled')}</p>}
      <p>{t('welcomeHostRunThis', kind)}</p>
      <CopyableCommand command={commands.browser} label={t('copyInstallCommand')} />
      <p>{t('welcomeHostUserDataDir')}</p>
      <CopyableCommand command={commands.userDataDir} label={t('copyInstallCommandUserDataDir')} testId="install-command-user-data-dir" />
      <p class="hint">{t('welcomeHostThenCheck')}</p>
    </div>
  );
}

function ModelStep() {
  const [found, findAgain] = useCommand('chat.findLocal', {});
  const [suggested, setSuggested] = useState<Settings | null>(null);
  return (
    <section data-testid="welcome-model">
      <h2>{t('welcomeModelTitle')}</h2>
      <p class="hint">{t('welcomeModelHint')}</p>
      {found.state === 'loading' && <p class="muted">{t('welcomeModelLooking')}</p>}
      {found.state === 'failed' && <ErrorText error={found.error} />}
      {found.state === 'ready' && found.value.servers.length === 0 && <p class="muted" data-testid="welcome-model-none">{t('welcomeModelNoneFound')}</p>}
      {found.state === 'ready' && found.value.servers.length > 0 && (
        <ul class="found-servers">
          {found.value.servers.map((server) => (
            <li key={server.baseUrl} data-testid="welcome-model-found">
              {t('welcomeModelFound', server.name, server.baseUrl, server.models.length)}{' '}
              <button type="button" class="primary" data-testid="welcome-model-use" onClick={() => setSuggested({ kind: server.kind, baseUrl: server.baseUrl, apiKey: '', model: server.models[0] ?? '' })}>
                {t('welcomeModelUse', server.name)}
              </button>
            </li>
          ))}
        </ul>
      )}
      <button type="button" class="link" onClick={() => findAgain()}>
        {t('welcomeModelLookAgain')}
      </button>
      <ModelSettings suggested={suggested} />
    </section>
  );
}
