/**
 * The model endpoint: OpenAI-compatible or Ollama, base URL, optional API key (stored only in
 * this browser's extension storage), a model picked from the endpoint's own list, and the context
 * window to assume when the endpoint does not say.
 */
import { useEffect, useState } from 'preact/hooks';
import type { ModelSettings as Settings } from '../../../shared/commands/chat';
import { sendCommand } from '../../commands/client';

const DEFAULT_URL = { openai: 'http://127.0.0.1:8080', ollama: 'http://127.0.0.1:11434' } as const;

export function ModelSettings() {
  const [form, setForm] = useState<Settings>({ kind: 'ollama', baseUrl: DEFAULT_URL.ollama, apiKey: '', model: '' });
  const [models, setModels] = useState<string[]>([]);
  const [status, setStatus] = useState<{ kind: 'ok' | 'error'; text: string } | null>(null);
  useEffect(() => {
    void sendCommand('chat.getSettings', {}).then((reply) => reply.ok && reply.result.settings && setForm(reply.result.settings));
  }, []);
  const update = (change: Partial<Settings>) => setForm({ ...form, ...change });
  return (
    <section data-testid="model-settings">
      <h2>Model endpoint</h2>
      <p class="muted">Only what you send in a thread (with its memories) goes to this endpoint. Nothing else leaves this machine.</p>
      <div class="form-grid">
        <label>
          Kind{' '}
          <select value={form.kind} data-testid="model-kind" onChange={(e) => {
            const kind = (e.target as HTMLSelectElement).value as Settings['kind'];
            update({ kind, baseUrl: form.baseUrl === DEFAULT_URL[form.kind] ? DEFAULT_URL[kind] : form.baseUrl });
          }}>
            <option value="ollama">Ollama (/api/chat)</option>
            <option value="openai">OpenAI-compatible (/v1/chat/completions)</option>
          </select>
        </label>
        <label>
          Base URL <input value={form.baseUrl} data-testid="model-url" onInput={(e) => update({ baseUrl: (e.target as HTMLInputElement).value })} />
        </label>
        <label>
          API key <input type="password" value={form.apiKey} data-testid="model-key" autocomplete="off" onInput={(e) => update({ apiKey: (e.target as HTMLInputElement).value })} />
        </label>
        <label title="Tokens a request may fill (8192 when empty). Ollama: at most what the model says (/api/show); the request asks Ollama for this window.">
          Context window (tokens){' '}
          <input
            type="number"
            min={512}
            step={512}
            placeholder="8192"
            value={form.contextWindow ?? ''}
            data-testid="model-context-window"
            onInput={(e) => {
              const value = Number((e.target as HTMLInputElement).value);
              const { contextWindow: _unset, ...rest } = form;
              setForm(Number.isInteger(value) && value >= 512 ? { ...rest, contextWindow: value } : rest);
            }}
          />
        </label>
        <label>
          Model{' '}
          <select value={form.model} data-testid="model-name" onChange={(e) => update({ model: (e.target as HTMLSelectElement).value })}>
            <option value="">—</option>
            {[...new Set([form.model, ...models])].filter(Boolean).map((m) => (
              <option key={m} value={m}>
                {m}
              </option>
            ))}
          </select>{' '}
          <button
            type="button"
            data-testid="model-list"
            onClick={() =>
              void sendCommand('chat.models', { settings: form }).then((reply) => {
                if (reply.ok) {
                  setModels(reply.result.models);
                  setStatus({ kind: 'ok', text: `${reply.result.models.length} models available` });
                } else setStatus({ kind: 'error', text: `${reply.error.code}: ${reply.error.message}` });
              })
            }
          >
            Load models
          </button>
        </label>
      </div>
      <button
        type="button"
        class="primary"
        data-testid="model-save"
        onClick={() => void sendCommand('chat.setSettings', { settings: form }).then((reply) => setStatus(reply.ok ? { kind: 'ok', text: 'Saved' } : { kind: 'error', text: `${reply.error.code}: ${reply.error.message}` }))}
      >
        Save
      </button>{' '}
      <button type="button" onClick={() => void sendCommand('chat.setSettings', { settings: null }).then(() => setStatus({ kind: 'ok', text: 'Removed: threads work as notes' }))}>
        Remove
      </button>
      {status && (
        <p class={status.kind} data-testid="model-status">
          {status.text}
        </p>
      )}
    </section>
  );
}
