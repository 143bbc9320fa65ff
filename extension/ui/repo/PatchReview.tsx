/**
 * Preview and approval of one patch: the diff, a dry run's diffstat and budget use (or the code
 * the host refuses it with), and an Apply button. Nothing is written until the user clicks Apply.
 * Takes the patch text as a prop so that any source (a pasted patch, a ```diff block of a thread
 * message) can use it: `<PatchReview patch={text} />`.
 */
import { useEffect, useState } from 'preact/hooks';
import type { AppError } from '../../../shared/errors';
import type { ApplyResult } from '../../../shared/protocol/repo';
import { sendCommand } from '../../commands/client';
import { useCommand } from '../hooks';
import { DiffView } from './DiffView';
import { RepoPicker } from './RepoPicker';
import { plural, t } from '../i18n';
import { ErrorText, errorSentence } from '../components/ErrorText';

type Preview = { state: 'idle' } | { state: 'loading' } | { state: 'ready'; result: ApplyResult; approvalToken: string } | { state: 'refused'; error: AppError };
type Applying = { state: 'idle' } | { state: 'applying' } | { state: 'applied'; result: ApplyResult; jobId: string } | { state: 'failed'; error: AppError };

export interface PatchReviewProps {
  patch: string;
  /** A fixed repository; when absent the user picks one of the registered repositories. */
  repoId?: string;
  onApplied?: (changeId: string) => void;
}

export function PatchReview({ patch, repoId: fixedRepoId, onApplied }: PatchReviewProps) {
  const [repos] = useCommand('repo.list', {});
  const [chosen, setChosen] = useState<string | null>(fixedRepoId ?? null);
  const repoId = fixedRepoId ?? chosen ?? (repos.state === 'ready' ? (repos.value.repos[0]?.id ?? null) : null);
  const [preview, setPreview] = useState<Preview>({ state: 'idle' });
  const [applying, setApplying] = useState<Applying>({ state: 'idle' });
  // A failed apply used up the preview's token: previewing again checks the tree anew and brings a fresh one.
  const [round, setRound] = useState(0);

  useEffect(() => setApplying({ state: 'idle' }), [repoId, patch]);

  useEffect(() => {
    if (!repoId || patch.trim() === '') {
      setPreview({ state: 'idle' });
      return;
    }
    let current = true;
    setPreview({ state: 'loading' });
    void sendCommand('repo.preview', { repoId, patch }).then((reply) => {
      if (current) setPreview(reply.ok ? { state: 'ready', result: reply.result, approvalToken: reply.result.approvalToken } : { state: 'refused', error: reply.error });
    });
    return () => {
      current = false;
    };
  }, [repoId, patch, round]);

  const apply = async () => {
    if (!repoId || preview.state !== 'ready') return;
    setApplying({ state: 'applying' });
    // The preview's one-time token: this click is the approval of exactly the patch shown.
    const reply = await sendCommand('repo.apply', { repoId, patch, approvalToken: preview.approvalToken });
    if (reply.ok) {
      setApplying({ state: 'applied', result: reply.result.apply, jobId: reply.result.jobId });
      if (reply.result.apply.changeId) onApplied?.(reply.result.apply.changeId);
    } else {
      setApplying({ state: 'failed', error: reply.error });
      setRound((n) => n + 1);
    }
  };

  return (
    <div class="patch-review" data-testid="patch-review">
      {!fixedRepoId && repos.state === 'ready' && <RepoPicker repos={repos.value.repos} value={repoId} onChange={setChosen} />}
      {repos.state === 'failed' && <ErrorText error={repos.error} />}
      {patch.trim() !== '' && <DiffView patch={patch} />}
      {preview.state === 'loading' && <p class="muted">{t('patchChecking')}</p>}
      {preview.state === 'refused' && (
        <p class="error" data-testid="patch-refused" data-code={preview.error.code}>
          {t('patchRefused', errorSentence(preview.error))} <span class="error-code">({preview.error.code})</span>
        </p>
      )}
      {preview.state === 'ready' && <BudgetUse result={preview.result} />}
      {preview.state === 'ready' && applying.state !== 'applied' && (
        <button type="button" class="primary" data-testid="patch-apply" disabled={applying.state === 'applying'} onClick={() => void apply()}>
          {applying.state === 'applying' ? t('patchApplying') : t('patchApply', repoId ?? '')}
        </button>
      )}
      {applying.state === 'applied' && (
        <p class="ok" data-testid="patch-applied" data-change-id={applying.result.changeId ?? ''}>
          {t('patchApplied', applying.result.changeId ?? '', plural(applying.result.files, 'unitFiles_one', 'unitFiles_other'), applying.result.linesAdded, applying.result.linesRemoved)}
        </p>
      )}
      {applying.state === 'failed' && (
        <p class="error" data-testid="patch-apply-failed" data-code={applying.error.code}>
          {t('patchNotApplied', errorSentence(applying.error))} <span class="error-code">({applying.error.code})</span>
        </p>
      )}
    </div>
  );
}

function BudgetUse({ result }: { result: ApplyResult }) {
  const lines = result.linesAdded + result.linesRemoved;
  const rows: [string, number, number][] = [
    ['files', result.files, result.budgets.maxFiles],
    ['lines', lines, result.budgets.maxLines],
    ['bytes', result.bytes, result.budgets.maxBytes],
  ];
  return (
    <div data-testid="patch-preview">
      <ul class="diffstat">
        {result.diffstat.map((item) => (
          <li key={item.path}>
            <span class={`op op-${item.op}`}>{item.op}</span> {item.path}
            {item.movePath ? ` → ${item.movePath}` : ''} <span class="diff-add">+{item.linesAdded}</span> <span class="diff-del">−{item.linesRemoved}</span>
          </li>
        ))}
      </ul>
      <table class="budgets">
        <tbody>
          {rows.map(([name, used, max]) => (
            <tr key={name}>
              <td>{name}</td>
              <td>
                <meter min={0} max={max} value={used} high={max * 0.8} />
              </td>
              <td data-testid={`budget-${name}`}>
                {used.toLocaleString()} / {max.toLocaleString()}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
