/** The thread list with title search: pick one to bind the tab to it. */
import { useState } from 'preact/hooks';
import type { Thread } from '../../../shared/schemas/entities';
import { useCommand } from '../hooks';
import { t } from '../i18n';

export function ThreadPicker({ currentId, onPick }: { currentId: string; onPick: (thread: Thread) => void }) {
  const [query, setQuery] = useState('');
  const [includeArchived, setIncludeArchived] = useState(false);
  const [list] = useCommand('threads.list', { query, includeArchived, limit: 100 }, [query, includeArchived]);
  return (
    <div class="thread-picker" data-testid="thread-picker">
      <input type="search" placeholder={t('threadPickerSearchPlaceholder')} value={query} data-testid="thread-search" onInput={(e) => setQuery((e.target as HTMLInputElement).value)} />{' '}
      <label>
        <input type="checkbox" checked={includeArchived} onChange={(e) => setIncludeArchived((e.target as HTMLInputElement).checked)} /> {t('threadPickerArchived')}
      </label>
      {list.state === 'ready' && (
        <ul>
          {list.value.threads.map((thread) => (
            <li key={thread.id}>
              <button type="button" class="link" data-testid="thread-option" disabled={thread.id === currentId} onClick={() => onPick(thread)}>
                {thread.pinned ? '📌 ' : ''}
                {thread.title}
              </button>
              {thread.archived ? <span class="muted"> {t('threadPickerArchivedMark')}</span> : null}
            </li>
          ))}
          {list.value.threads.length === 0 && <li class="muted">{t('threadPickerNoMatch')}</li>}
        </ul>
      )}
    </div>
  );
}
