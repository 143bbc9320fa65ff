/**
 * Memories offered with this thread, in four scopes: this thread, this page (a doc memory, kept
 * with the page's URL), about me (user) and everywhere (global). Strength shows how much each still
 * weighs: it fades ×0.9 a day since last use unless pinned (shared/memory.ts).
 */
import { useState } from 'preact/hooks';
import { currentStrength, DAILY_DECAY } from '../../../shared/memory';
import type { Memory } from '../../../shared/schemas/entities';
import type { MemoryScope } from '../../../shared/schemas/statuses';
import { urlKey } from '../../../shared/url';
import { sendCommand } from '../../commands/client';
import { useLiveQuery } from '../hooks';
import { t, type MessageKey } from '../i18n';
import type { WithThread } from './Composer';

const SCOPE_LABEL: Record<MemoryScope, MessageKey> = { thread: 'memoryScopeThread', doc: 'memoryScopeDoc', user: 'memoryScopeUser', global: 'memoryScopeGlobal' };

/** `threadId` null: the tab's thread is unsaved; a thread memory makes it. */
export function MemoriesSection({ threadId, url, withThread }: { threadId: string | null; url: string; withThread: WithThread }) {
  const page = urlKey(url);
  const memories =
    useLiveQuery(async (db) => {
      const own = threadId ? await db.memories.where('threadId').equals(threadId).toArray() : [];
      const shared = await db.memories.where('scope').anyOf(['global', 'user']).toArray();
      const doc = await db.memories.where('scope').equals('doc').filter((m) => m.source.kind === 'page' && m.source.id === page).toArray();
      return [...own, ...doc, ...shared];
    }, [threadId, page]) ?? [];
  const [text, setText] = useState('');
  const [scope, setScope] = useState<MemoryScope>('thread');
  const now = Date.now();
  return (
    <section data-testid="memories">
      <h2>{t('memoriesTitle')}</h2>
      <ul class="memories">
        {memories
          .map((memory) => ({ memory, strength: currentStrength(memory, now) }))
          .sort((a, b) => b.strength - a.strength)
          .map(({ memory, strength }) => (
            <MemoryItem key={memory.id} memory={memory} strength={strength} pageUrl={url} />
          ))}
      </ul>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          if (!text.trim()) return;
          const create = (threadIdForMemory?: string) =>
            sendCommand('memories.create', { text, scope, ...(threadIdForMemory ? { threadId: threadIdForMemory } : {}), ...(scope === 'doc' ? { source: { kind: 'page' as const, id: page } } : {}) });
          void (scope === 'thread' ? withThread((id) => create(id)) : create()).then((reply) => reply.ok && setText(''));
        }}
      >
        <input value={text} placeholder={t('memoryInputPlaceholder')} data-testid="memory-input" onInput={(e) => setText((e.target as HTMLInputElement).value)} />{' '}
        <select value={scope} aria-label={t('memoryScopeLabel')} data-testid="memory-scope" onChange={(e) => setScope((e.target as HTMLSelectElement).value as MemoryScope)}>
          {(['thread', 'doc', 'user', 'global'] as const).map((s) => (
            <option key={s} value={s}>
              {t(SCOPE_LABEL[s])}
            </option>
          ))}
        </select>{' '}
        <button type="submit">{t('memoryAdd')}</button>
      </form>
    </section>
  );
}

/** `pageUrl`: the page a doc memory here belongs to (the list holds this page's doc memories only). */
function MemoryItem({ memory, strength, pageUrl }: { memory: Memory; strength: number; pageUrl: string }) {
  const [editing, setEditing] = useState(false);
  const fading = memory.pinned ? t('memoryPinnedNoFade') : t('memoryFades', DAILY_DECAY, Math.round(strength * DAILY_DECAY ** 7 * 100));
  return (
    <li data-testid="memory" data-scope={memory.scope}>
      {editing ? (
        <form
          onSubmit={(event) => {
            event.preventDefault();
            const text = String(new FormData(event.currentTarget).get('text') ?? '');
            void sendCommand('memories.update', { memoryId: memory.id, text }).then(() => setEditing(false));
          }}
        >
          <input name="text" defaultValue={memory.text} aria-label={t('memoryEditLabel')} /> <button type="submit">{t('save')}</button>
        </form>
      ) : (
        <span>{memory.text}</span>
      )}{' '}
      <span class="muted" data-testid="memory-meta" title={fading}>
        {t(SCOPE_LABEL[memory.scope])}
        {memory.scope === 'doc' ? ` (${pageUrl})` : ''} · {t('memoryStrength', Math.round(strength * 100))}
        {memory.pinned ? ` · ${t('memoryPinned')}` : ''}
      </span>{' '}
      <meter min={0} max={1} value={strength} title={fading} />{' '}
      <button type="button" class="link" onClick={() => void sendCommand('memories.update', { memoryId: memory.id, pinned: !memory.pinned })}>
        {memory.pinned ? t('memoryUnpin') : t('memoryPin')}
      </button>{' '}
      <button type="button" class="link" onClick={() => setEditing(!editing)}>
        {t('memoryEdit')}
      </button>{' '}
      <button type="button" class="link" data-testid="memory-forget" onClick={() => void sendCommand('memories.forget', { memoryId: memory.id })}>
        {t('memoryForget')}
      </button>
    </li>
  );
}
