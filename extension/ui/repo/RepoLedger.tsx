/** The change ledger of one repository, newest first, with a Revert button per applied change. */
import { useState } from 'preact/hooks';
import type { AppError } from '../../../shared/errors';
import { sendCommand } from '../../commands/client';
import { useCommand } from '../hooks';

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
      <h3>Ledger</h3>
      {ledger.state === 'loading' && <p class="muted">Loading…</p>}
      {ledger.state === 'failed' && <p class="error">{ledger.error.message}</p>}
      {ledger.state === 'ready' && ledger.value.entries.length === 0 && <p class="muted">No changes applied yet.</p>}
      {error && (
        <p class="error" data-testid="revert-error" data-code={error.code}>
          Revert refused ({error.code}): {error.message}
        </p>
      )}
      {ledger.state === 'ready' && (
        <ul>
          {ledger.value.entries.map((entry) => (
            <li key={entry.changeId} data-testid="ledger-entry" data-change-id={entry.changeId}>
              <span class="muted">{new Date(entry.appliedAt).toLocaleString()}</span> {entry.kind === 'revert' ? `revert of ${entry.revertOf}` : entry.changeId} · {entry.files.length} files, +{entry.linesAdded} −{entry.linesRemoved}
              {entry.kind === 'apply' && entry.revertedBy === null && (
                <button type="button" class="link" data-testid="ledger-revert" disabled={busy !== null} onClick={() => void revert(entry.changeId)}>
                  {busy === entry.changeId ? 'Reverting…' : 'Revert'}
                </button>
              )}
              {entry.revertedBy && <span class="muted"> (reverted)</span>}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
