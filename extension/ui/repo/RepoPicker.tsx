/** Chooses one of the repositories registered in the host config (the UI never sees a path it can send). */
import type { RepoSummary } from '../../../shared/protocol/repo';
import { t } from '../i18n';

/** A command typed in a terminal: code, not words to translate. */
const REPO_ADD_COMMAND = 'npx hydraflow-host repo add ID PATH';

export function RepoPicker({ repos, value, onChange }: { repos: RepoSummary[]; value: string | null; onChange: (repoId: string) => void }) {
  if (repos.length === 0) {
    return (
      <p class="muted" data-testid="repo-none">
        {t('repoNone')} <code>{REPO_ADD_COMMAND}</code>
      </p>
    );
  }
  return (
    <label class="repo-picker">
      {t('repoLabel')}{' '}
      <select data-testid="repo-select" value={value ?? ''} onChange={(event) => onChange((event.target as HTMLSelectElement).value)}>
        {repos.map((repo) => (
          <option key={repo.id} value={repo.id} title={repo.root}>
            {repo.id}
          </option>
        ))}
      </select>
    </label>
  );
}
