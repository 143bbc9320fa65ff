/** The options app's footer: version, protocol, schema and extension ID (what a bug report needs). */
import { useCommand } from '../hooks';
import { t } from '../i18n';
import { ErrorText } from '../components/ErrorText';

export function AppInfo() {
  const [info] = useCommand('app.info', {});
  return (
    <footer class="app-info hint" data-testid="app-info">
      {info.state === 'ready' && (
        <p>
          {t('aboutVersions', info.value.appVersion, info.value.protocolVersion, info.value.schemaVersion)} <code>{info.value.extensionId}</code>
        </p>
      )}
      {info.state === 'failed' && <ErrorText error={info.error} />}
    </footer>
  );
}
