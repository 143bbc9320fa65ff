/** The side panel's "Repo tools" section: paste a patch, review and apply it, the ledger, the checks. */
// Repo tools parse with zod; set it up before (see extension/zod-setup.ts). Loaded after the thread.
import '../../zod-setup';
import { useState } from 'preact/hooks';
import { useCommand } from '../hooks';
import { PatchReview } from './PatchReview';
import { RepoChecks } from './RepoChecks';
import { RepoLedger } from './RepoLedger';
import { RepoPicker } from './RepoPicker';
import { t } from '../i18n';
import { ErrorText } from '../components/ErrorText';

export function RepoToolsSection() {
  const [repos] = useCommand('repo.list', {});
  const [chosen, setChosen] = useState<string | null>(null);
  const [patch, setPatch] = useState('');
  const [version, setVersion] = useState(0);
  const list = repos.state === 'ready' ? repos.value.repos : [];
  const repo = list.find((r) => r.id === chosen) ?? list[0] ?? null;
  return (
    <section class="repo-tools" data-testid="repo-tools">
      <h2>{t('repoToolsTitle')}</h2>
      {repos.state === 'loading' && <p class="muted">{t('repoAsking')}</p>}
      {repos.state === 'failed' && (
        <div data-testid="repo-tools-unavailable">
          <ErrorText error={repos.error} />
        </div>
      )}
      {repos.state === 'ready' && <RepoPicker repos={list} value={repo?.id ?? null} onChange={setChosen} />}
      {repo && (
        <>
          <details open>
            <summary>{t('repoApplyPatch')}</summary>
            <textarea
              data-testid="patch-input"
              rows={6}
              aria-label={t('repoPatchLabel')}
              placeholder={t('repoPatchPlaceholder')}
              value={patch}
              onInput={(event) => setPatch((event.target as HTMLTextAreaElement).value)}
            />
            {patch.trim() !== '' && <PatchReview key={repo.id} patch={patch} repoId={repo.id} onApplied={() => setVersion((v) => v + 1)} />}
          </details>
          <RepoLedger repoId={repo.id} version={version} />
          <RepoChecks repoId={repo.id} checks={repo.checks} />
        </>
      )}
    </section>
  );
}
