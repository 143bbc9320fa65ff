/**
 * The optional embeddings endpoint: with one, pages and messages get vectors (an `embed` job) and
 * search ranks by words and meaning together; without, search is full-text only.
 */
import { useEffect, useState } from 'preact/hooks';
import type { EmbeddingSettings as Settings } from '../../../shared/commands/embeddings';
import type { IndexStatus } from '../../../shared/commands/search';
import { sendCommand } from '../../commands/client';

const DEFAULT_URL = { openai: 'http://127.0.0.1:8080', ollama: 'http://127.0.0.1:11434' } as const;

export function EmbeddingSettings() {
  const [form, setForm] = useState<Settings>({ kind: 'ollama', baseUrl: DEFAULT_URL.ollama, model: 'nomic-embed-text', apiKey: '' });
  const [saved, setSaved] = useState(false);
  const [state, setState] = useState<IndexStatus['embeddings'] | null>(null);
  const [status, setStatus] = useState<{ kind: 'ok' | 'error'; text: string } | null>(null);
  const refresh = () => void sendCommand('search.status', {}).then((reply) => reply.ok && setState(reply.result.embeddings));
  useEffect(() => {
    void sendCommand('embeddings.getSettings', {}).then((reply) => {
      if (reply.ok && reply.result.settings) {
        setForm({ apiKey: '', ...reply.result.settings });
        setSaved(true);
      }
    });
    refresh();
  }, []);
  const update = (change: Partial<Settings>) => setForm({ ...form, ...change });
  const report = (reply: { ok: true } | { ok: false; error: { code: string; message: string } }, text: string) => {
    setStatus(reply.ok ? { kind: 'ok', text } : { kind: 'error', text: `${reply.error.code}: ${reply.error.message}` });
    refresh();
  };
  return (
    <section data-testid="embedding-settings">
      <h2>Embeddings (optional)</h2>
      <p class="muted">
        Page titles and text and your messages are sent to this endpoint to compute vectors; search then also finds items by meaning, and “Related” uses them. Without it,
        search works on words only.
      </p>
      <div class="form-grid">
        <label>
          Kind{' '}
          <select
            value={form.kind}
            data-testid="embedding-kind"
            onChange={(e) => {
              const kind = (e.target as HTMLSelectElement).value as Settings['kind'];
              update({ kind, baseUrl: form.baseUrl === DEFAULT_URL[form.kind] ? DEFAULT_URL[kind] : form.baseUrl });
            }}
          >
            <option value="ollama">Ollama (/api/embed)</option>
            <option value="openai">OpenAI-compatible (/v1/embeddings)</option>
          </select>
        </label>
        <label>
          Base URL <input value={form.baseUrl} data-testid="embedding-url" onInput={(e) => update({ baseUrl: (e.target as HTMLInputElement).value })} />
        </label>
        <label>
          Model <input value={form.model} data-testid="embedding-model" onInput={(e) => update({ model: (e.target as HTMLInputElement).value })} />
        </label>
        <label>
          API key <input type="password" value={form.apiKey ?? ''} autocomplete="off" onInput={(e) => update({ apiKey: (e.target as HTMLInputElement).value })} />
        </label>
      </div>
      <button
        type="button"
        class="primary"
        data-testid="embedding-save"
        onClick={() => {
          const { apiKey, ...rest } = form;
          void sendCommand('embeddings.setSettings', { settings: apiKey ? { ...rest, apiKey } : rest }).then((reply) => {
            if (reply.ok) setSaved(true);
            report(reply, 'Saved: embedding pages and messages (see Jobs)');
          });
        }}
      >
        Save
      </button>{' '}
      {saved && (
        <>
          <button type="button" data-testid="embedding-start" onClick={() => void sendCommand('embeddings.start', {}).then((reply) => report(reply, reply.ok ? `Embed job ${reply.result.jobId}` : ''))}>
            Embed new items now
          </button>{' '}
          <button
            type="button"
            onClick={() =>
              void sendCommand('embeddings.setSettings', { settings: null }).then((reply) => {
                setSaved(false);
                report(reply, 'Removed: search uses words only');
              })
            }
          >
            Remove
          </button>
        </>
      )}
      {state && (
        <p class="muted" data-testid="embedding-state">
          {state.configured ? `${state.vectors.toLocaleString()} vectors${state.dims ? ` of ${state.dims} dimensions` : ''} (${state.model})` : 'Not configured'}
        </p>
      )}
      {status && (
        <p class={status.kind} data-testid="embedding-status">
          {status.text}
        </p>
      )}
    </section>
  );
}
