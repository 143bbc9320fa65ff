/**
 * The change ledger of one repository, newest first: each change with its date, its files (each
 * with its operation and +/− lines) and a Revert button while it can still be reverted.
 */
import { useState } from 'preact/hooks';
import type { AppError } from '../../../shared/errors';
import { sendCommand } from '../../commands/client';
import { ErrorText } from '../components/ErrorText';
import { formatDate } from '../format';
import { useCommand } from '../hooks';
import { plural, t, type MessageKey } from '../i18n';

const OPS: Record<'create' | 'modify' | 'delete', MessageKey> = { create: 'ledgerOpCreate', modify: 'ledgerOpModify', delete: 'ledgerOpDelete' };

export function RepoLedger({ repoId, version }: { repoId: string; version: number }) {
  const [ledger, reload] = useCommand('repo.ledger', { repoId }, [repoId, version]);
  const [error, setError] = useState<AppError | null>(null);
  const [busy, setBusy] = useState<string | null>(null);

  const revert = async (changeId: string) => {
    setBusy(changeId);
    setError(null);
    const reply = await sendCommand('repo.revert', { repoId, changeId });
    setBusy(null);
    if (!reply.ok) setError(reply.error);
    reload();
  };

  return (
    <div class="repo-ledger" data-testid="repo-ledger">
      <h3>{t('ledgerTitle')}</h3>
      {ledger.state === 'loading' && <p class="muted">{t('loading')}</p>}
      {ledger.state === 'failed' && <ErrorText error={ledger.error} />}
      {ledger.state === 'ready' && ledger.value.entries.length === 0 && <p class="muted">{t('ledgerEmpty')}</p>}
      {error && (
        <div data-testid="revert-error" data-code={error.code}>
          <ErrorText error={error} />
        </div>
      )}
      {ledger.state === 'ready' && (
        <ul class="ledger">
          {ledger.value.entries.map((entry) => (
            <li key={entry.changeId} data-testid="ledger-entry" data-change-id={entry.changeId}>
              <p class="ledger-head">
                <strong>{entry.kind === 'revert' ? t('ledgerRevertOf', entry.revertOf ?? '?') : t('ledgerChange', entry.changeId)}</strong>{' '}
                <span class="muted">
                  · {formatDate(entry.appliedAt)} · {plural(entry.files.length, 'unitFiles_one', 'unitFiles_other')}, {t('ledgerLines', entry.linesAdded, entry.linesRemoved)}
                </span>
                {entry.revertedBy && <span class="muted"> · {t('ledgerReverted')}</span>}
              </p>
              <ul class="ledger-files">
                {entry.files.map((file) => (
                  <li key={file.path} data-testid="ledger-file">
                    <span class="op">{t(OPS[file.op])}</span> <code>{file.path}</code> <span class="diff-add">+{file.linesAdded}</span> <span class="diff-del">−{file.linesRemoved}</span>
                  </li>
                ))}
              </ul>
              {entry.kind === 'apply' && entry.revertedBy === null && (
                <button type="button" data-testid="ledger-revert" disabled={busy !== null} aria-label={t('ledgerRevertLabel', entry.changeId)} onClick={() => void revert(entry.changeId)}>
                  {busy === entry.changeId ? t('ledgerReverting') : t('ledgerRevert')}
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
