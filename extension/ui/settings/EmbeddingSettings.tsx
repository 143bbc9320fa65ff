/**
 * The optional embeddings endpoint: with one, pages and messages get vectors (an `embed` job) and
 * search ranks by words and meaning together; without, search is full-text only.
 */
import { useEffect, useState } from 'preact/hooks';
import type { EmbeddingSettings as Settings } from '../../../shared/commands/embeddings';
import type { IndexStatus } from '../../../shared/commands/search';
import type { AppError } from '../../../shared/errors';
import { sendCommand } from '../../commands/client';
import { errorSentence } from '../components/ErrorText';
import { t } from '../i18n';
import { useReloadOn, useSearchStatusTick } from '../hooks';

const DEFAULT_URL = { openai: 'http://127.0.0.1:8080', ollama: 'http://127.0.0.1:11434' } as const;

export function EmbeddingSettings() {
  const [form, setForm] = useState<Settings>({ kind: 'ollama', baseUrl: DEFAULT_URL.ollama, model: 'nomic-embed-text', apiKey: '' });
  const [saved, setSaved] = useState(false);
  const [state, setState] = useState<IndexStatus['embeddings'] | null>(null);
  const [status, setStatus] = useState<{ kind: 'ok' | 'error'; text: string; code?: string } | null>(null);
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
  // Live: vectors, settings and finished embed jobs change the state line.
  useReloadOn(useSearchStatusTick(), refresh);
  const update = (change: Partial<Settings>) => setForm({ ...form, ...change });
  const report = (reply: { ok: true } | { ok: false; error: AppError }, text: string) => {
    setStatus(reply.ok ? { kind: 'ok', text } : { kind: 'error', text: errorSentence(reply.error), code: reply.error.code });
    refresh();
  };
  return (
    <section data-testid="embedding-settings">
      <h2>{t('embeddingsTitle')}</h2>
      <p class="hint">{t('embeddingsHint')}</p>
      <div class="form-grid">
        <label>
          {t('modelKind')}
          <select
            value={form.kind}
            data-testid="embedding-kind"
            onChange={(e) => {
              const kind = (e.target as HTMLSelectElement).value as Settings['kind'];
              update({ kind, baseUrl: form.baseUrl === DEFAULT_URL[form.kind] ? DEFAULT_URL[kind] : form.baseUrl });
            }}
          >
            <option value="ollama">{t('embeddingsKindOllama')}</option>
            <option value="openai">{t('embeddingsKindOpenai')}</option>
          </select>
        </label>
        <label>
          {t('modelUrl')} <input value={form.baseUrl} data-testid="embedding-url" onInput={(e) => update({ baseUrl: (e.target as HTMLInputElement).value })} />
        </label>
        <label>
          {t('modelName')} <input value={form.model} data-testid="embedding-model" onInput={(e) => update({ model: (e.target as HTMLInputElement).value })} />
        </label>
        <label>
          {t('modelKey')} <input type="password" value={form.apiKey ?? ''} autocomplete="off" onInput={(e) => update({ apiKey: (e.target as HTMLInputElement).value })} />
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
            report(reply, t('embeddingsSaved'));
          });
        }}
      >
        {t('save')}
      </button>{' '}
      {saved && (
        <>
          <button type="button" data-testid="embedding-start" onClick={() => void sendCommand('embeddings.start', {}).then((reply) => report(reply, reply.ok ? t('embeddingsStarted') : ''))}>
            {t('embeddingsStart')}
          </button>{' '}
          <button
            type="button"
            onClick={() =>
              void sendCommand('embeddings.setSettings', { settings: null }).then((reply) => {
                setSaved(false);
                report(reply, t('embeddingsRemoved'));
              })
            }
          >
            {t('remove')}
          </button>
        </>
      )}
      {state && (
        <p class="muted" data-testid="embedding-state">
          {state.configured ? (state.dims ? t('embeddingsStateDims', state.vectors.toLocaleString(), state.dims, state.model ?? '?') : t('embeddingsState', state.vectors.toLocaleString(), state.model ?? '?')) : t('embeddingsNotConfigured')}
        </p>
      )}
      {status && (
        <p class={status.kind} data-testid="embedding-status">
          {status.text} {status.code && <span class="error-code">({status.code})</span>}
        </p>
      )}
    </section>
  );
}
