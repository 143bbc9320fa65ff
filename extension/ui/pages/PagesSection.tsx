/**
 * The side panel's page section: the versions saved for the tab's page with a diff between a
 * version and the one before it, and the focused refresh form with the live job. Page text is
 * untrusted: every diff line is a text node, never HTML.
 */
import { useState } from 'preact/hooks';
import type { CommandResult } from '../../../shared/commands';
import { urlKey } from '../../../shared/url';
import { sendCommand } from '../../commands/client';
import { useLiveQuery } from '../hooks';
import { RefreshForm } from './RefreshForm';
import { plural, t } from '../i18n';
import { formatDate } from '../format';
import { errorSentence } from '../components/ErrorText';

const MAX_DIFF_LINES = 2000;

export function PagesSection({ threadId, url }: { threadId: string; url: string }) {
  const key = urlKey(url);
  const versions = useLiveQuery(
    async (db) =>
      (await db.pages.where('urlKey').equals(key).toArray())
        .sort((a, b) => b.version - a.version)
        .map((p) => ({ id: p.id, version: p.version, capturedAt: p.capturedAt, title: p.title, length: p.text.length })),
    [key],
  );
  const [diff, setDiff] = useState<CommandResult<'pages.diff'> | null>(null);
  const [error, setError] = useState<string | null>(null);
  const showDiff = async (pageId: string) => {
    const reply = await sendCommand('pages.diff', { pageId });
    if (reply.ok) {
      setDiff(reply.result);
      setError(null);
    } else setError(`${errorSentence(reply.error)} (${reply.error.code})`);
  };
  return (
    <section class="pages" data-testid="pages-section">
      <h2>{t('versionsTitle')}</h2>
      {!versions || versions.length === 0 ? (
        <p class="muted" data-testid="no-versions">
          {t('versionsNone')}
        </p>
      ) : (
        <ol class="versions" data-testid="versions">
          {versions.map((v) => (
            <li key={v.id} data-testid="version" data-version={v.version}>
              {t('versionLine', v.version, formatDate(v.capturedAt), plural(v.length, 'unitCharacters_one', 'unitCharacters_other'))}{' '}
              {v.version > 1 && (
                <button type="button" class="link" data-testid="version-diff" onClick={() => void showDiff(v.id)}>
                  {t('versionChanges')}
                </button>
              )}
            </li>
          ))}
        </ol>
      )}
      {error && <p class="error">{error}</p>}
      {diff && <VersionDiff diff={diff} onClose={() => setDiff(null)} />}
      <RefreshForm threadId={threadId} />
    </section>
  );
}

function VersionDiff({ diff, onClose }: { diff: CommandResult<'pages.diff'>; onClose: () => void }) {
  let shown = 0;
  return (
    <div class="version-diff" data-testid="version-diff-view">
      <p>
        {t('versionDiffHead', diff.from?.version ?? 0, diff.to.version)} <span class="diff-add">+{diff.added}</span> <span class="diff-del">−{diff.removed}</span>
        {!diff.exact && <span class="muted"> {t('versionDiffLarge')}</span>}{' '}
        <button type="button" class="link" onClick={onClose}>
          {t('close')}
        </button>
      </p>
      <pre class="diff">
        {diff.hunks.map((hunk, h) => (
          <div key={h}>
            <div class="diff-hunk">
              @@ −{hunk.oldStart} +{hunk.newStart} @@
            </div>
            {hunk.lines.map((line, i) => {
              if (++shown > MAX_DIFF_LINES) return null;
              return (
                <div key={i} class={line.op === 'add' ? 'diff-add' : line.op === 'remove' ? 'diff-del' : 'diff-ctx'} data-testid="diff-line" data-op={line.op}>
                  {line.op === 'add' ? '+ ' : line.op === 'remove' ? '− ' : '  '}
                  {line.text}
                </div>
              );
            })}
          </div>
        ))}
        {shown > MAX_DIFF_LINES && <div class="muted">{t('diffMoreLines', shown - MAX_DIFF_LINES)}</div>}
      </pre>
    </div>
  );
}
