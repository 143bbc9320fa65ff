import { useState } from 'preact/hooks';
import { t } from '../i18n';

export function CopyableCommand({ command, label, testId = 'install-command' }: { command: string; label?: string; testId?: string }) {
  const [copied, setCopied] = useState(false);
  return (
    <div class="command">
      <code data-testid={testId}>{command}</code>
      <button type="button" aria-label={label ?? t('copyCommand')} onClick={() => void navigator.clipboard.writeText(command).then(() => setCopied(true))}>
        {copied ? t('copied') : t('copy')}
      </button>
    </div>
  );
}
