/** The thread list with title search: pick one to bind the tab to it. */
import { useState } from 'preact/hooks';
import type { Thread } from '../../../shared/schemas/entities';
import { useCommand } from '../hooks';

export function ThreadPicker({ currentId, onPick }: { currentId: string; onPick: (thread: Thread) => void }) {
  const [query, setQuery] = useState('');
  const [includeArchived, setIncludeArchived] = useState(false);
  const [list] = useCommand('threads.list', { query, includeArchived, limit: 100 }, [query, includeArchived]);
  return (
    <div class="thread-picker" data-testid="thread-picker">
      <input type="search" placeholder="Search threads by title" value={query} data-testid="thread-search" onInput={(e) => setQuery((e.target as HTMLInputElement).value)} />{' '}
      <label>
        <input type="checkbox" checked={includeArchived} onChange={(e) => setIncludeArchived((e.target as HTMLInputElement).checked)} /> archived
      </label>
      {list.state === 'ready' && (
        <ul>
          {list.value.threads.map((t) => (
            <li key={t.id}>
              <button type="button" class="link" data-testid="thread-option" disabled={t.id === currentId} onClick={() => onPick(t)}>
                {t.pinned ? '📌 ' : ''}
                {t.title}
              </button>
              {t.archived ? <span class="muted"> (archived)</span> : null}
            </li>
          ))}
          {list.value.threads.length === 0 && <li class="muted">No threads match.</li>}
        </ul>
      )}
    </div>
  );
}
