/** Memories offered with this thread: its own and global ones; strength fades ×0.9 a day unless pinned. */
import { useState } from 'preact/hooks';
import { currentStrength } from '../../../shared/memory';
import type { Memory } from '../../../shared/schemas/entities';
import { sendCommand } from '../../commands/client';
import { useLiveQuery } from '../hooks';
import { t } from '../i18n';

export function MemoriesSection({ threadId }: { threadId: string }) {
  const memories =
    useLiveQuery(async (db) => {
      const own = await db.memories.where('threadId').equals(threadId).toArray();
      const shared = await db.memories.where('scope').anyOf(['global', 'user']).toArray();
      return [...own, ...shared];
    }, [threadId]) ?? [];
  const [text, setText] = useState('');
  const [scope, setScope] = useState<'thread' | 'global'>('thread');
  const now = Date.now();
  return (
    <section data-testid="memories">
      <h2>Memories</h2>
      <ul class="memories">
        {memories
          .sort((a, b) => currentStrength(b, now) - currentStrength(a, now))
          .map((memory) => (
            <MemoryItem key={memory.id} memory={memory} strength={currentStrength(memory, now)} />
          ))}
      </ul>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          if (!text.trim()) return;
          void sendCommand('memories.create', { text, scope, ...(scope === 'thread' ? { threadId } : {}) }).then((reply) => reply.ok && setText(''));
        }}
      >
        <input value={text} placeholder="Remember…" data-testid="memory-input" onInput={(e) => setText((e.target as HTMLInputElement).value)} />{' '}
        <select value={scope} aria-label={t('memoryScopeLabel')} onChange={(e) => setScope((e.target as HTMLSelectElement).value as 'thread' | 'global')}>
          <option value="thread">this thread</option>
          <option value="global">everywhere</option>
        </select>{' '}
        <button type="submit">Add</button>
      </form>
    </section>
  );
}

function MemoryItem({ memory, strength }: { memory: Memory; strength: number }) {
  const [editing, setEditing] = useState(false);
  return (
    <li data-testid="memory">
      {editing ? (
        <form
          onSubmit={(event) => {
            event.preventDefault();
            const text = String(new FormData(event.currentTarget).get('text') ?? '');
            void sendCommand('memories.update', { memoryId: memory.id, text }).then(() => setEditing(false));
          }}
        >
          <input name="text" defaultValue={memory.text} aria-label={t('memoryEditLabel')} /> <button type="submit">Save</button>
        </form>
      ) : (
        <span>{memory.text}</span>
      )}{' '}
      <span class="muted" title="strength">
        {memory.scope} · {Math.round(strength * 100)}%
      </span>{' '}
      <button type="button" class="link" onClick={() => void sendCommand('memories.update', { memoryId: memory.id, pinned: !memory.pinned })}>
        {memory.pinned ? 'unpin' : 'pin'}
      </button>{' '}
      <button type="button" class="link" onClick={() => setEditing(!editing)}>
        edit
      </button>{' '}
      <button type="button" class="link" data-testid="memory-forget" onClick={() => void sendCommand('memories.forget', { memoryId: memory.id })}>
        forget
      </button>
    </li>
  );
}
