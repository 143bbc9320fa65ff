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
    } else setError(`${reply.error.code}: ${reply.error.message}`);
  };
  return (
    <section class="pages" data-testid="pages-section">
      <h2>Page versions</h2>
      {!versions || versions.length === 0 ? (
        <p class="muted" data-testid="no-versions">
          No saved version of this page yet. "Save page" keeps its readable text; pages bound to a thread are saved when they load.
        </p>
      ) : (
        <ol class="versions" data-testid="versions">
          {versions.map((v) => (
            <li key={v.id} data-testid="version" data-version={v.version}>
              v{v.version} · {new Date(v.capturedAt).toLocaleString()} · {v.length.toLocaleString()} chars{' '}
              {v.version > 1 && (
                <button type="button" class="link" data-testid="version-diff" onClick={() => void showDiff(v.id)}>
                  Changes
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
        v{diff.from?.version ?? 0} → v{diff.to.version}: <span class="diff-add">+{diff.added}</span> <span class="diff-del">−{diff.removed}</span> lines
        {!diff.exact && <span class="muted"> (large change: shown as one block)</span>}{' '}
        <button type="button" class="link" onClick={onClose}>
          Close
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
        {shown > MAX_DIFF_LINES && <div class="muted">… {shown - MAX_DIFF_LINES} more lines not shown</div>}
      </pre>
    </div>
  );
}
