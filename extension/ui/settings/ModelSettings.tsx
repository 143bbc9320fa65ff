/**
 * The model endpoint: OpenAI-compatible or Ollama, base URL, optional API key (stored only in
 * this browser's extension storage), a model picked from the endpoint's own list, and the context
 * window to assume when the endpoint does not say. Saving also tests the endpoint and says what is
 * wrong with it; the form follows the stored settings live (a save from another page shows here).
 * `suggested` fills the form (the welcome page's "Use this" on a local server it found).
 */
import { useEffect, useState } from 'preact/hooks';
import type { ModelSettings as Settings } from '../../../shared/commands/chat';
import type { AppError } from '../../../shared/errors';
import { sendCommand } from '../../commands/client';
import { errorSentence } from '../components/ErrorText';
import { useSettingsRow } from '../hooks';
import { t } from '../i18n';

const DEFAULT_URL = { openai: 'http://127.0.0.1:8080', ollama: 'http://127.0.0.1:11434' } as const;

type Status = { kind: 'ok' | 'warn' | 'error'; text: string; code?: string };

/** What saving found out about the endpoint, as a sentence. */
export async function testEndpoint(settings: Settings): Promise<Status & { models: string[] }> {
  const reply = await sendCommand('chat.models', { settings });
  if (!reply.ok) return { kind: 'warn', text: t('modelSavedUnreachable', errorSentence(reply.error)), code: reply.error.code, models: [] };
  const models = reply.result.models;
  if (models.length === 0) return { kind: 'warn', text: t('modelSavedNoModels'), models };
  if (!settings.model) return { kind: 'warn', text: t('modelSavedPickOne', models.length), models };
  if (!models.includes(settings.model)) return { kind: 'warn', text: t('modelSavedUnknownModel', settings.model, models.length), models };
  return { kind: 'ok', text: t('modelSavedWorks', settings.model, models.length), models };
}

export function ModelSettings({ suggested }: { suggested?: Settings | null }) {
  const [form, setForm] = useState<Settings>({ kind: 'ollama', baseUrl: DEFAULT_URL.ollama, apiKey: '', model: '' });
  const [models, setModels] = useState<string[]>([]);
  const [status, setStatus] = useState<Status | null>(null);
  const [busy, setBusy] = useState(false);
  const stored = useSettingsRow('chat.model');
  useEffect(() => {
    void sendCommand('chat.getSettings', {}).then((reply) => reply.ok && reply.result.settings && setForm(reply.result.settings));
  }, [stored]);
  useEffect(() => {
    if (suggested) {
      setForm(suggested);
      setStatus(null);
    }
  }, [suggested]);
  const update = (change: Partial<Settings>) => setForm({ ...form, ...change });
  const showError = (error: AppError) => setStatus({ kind: 'error', text: errorSentence(error), code: error.code });
  const save = async () => {
    setBusy(true);
    setStatus({ kind: 'ok', text: t('modelTesting') });
    const saved = await sendCommand('chat.setSettings', { settings: form });
    if (!saved.ok) {
      setBusy(false);
      return showError(saved.error);
    }
    const tested = await testEndpoint(form);
    if (tested.models.length) setModels(tested.models);
    setStatus(tested);
    setBusy(false);
  };
  const loadModels = async () => {
    const reply = await sendCommand('chat.models', { settings: form });
    if (!reply.ok) return showError(reply.error);
    setModels(reply.result.models);
    setStatus({ kind: 'ok', text: t('modelListLoaded', reply.result.models.length) });
  };
  return (
    <section data-testid="model-settings">
      <h2>{t('modelTitle')}</h2>
      <p class="hint">{t('modelPrivacy')}</p>
      <div class="form-grid">
        <label>
          {t('modelKind')}
          <select
            value={form.kind}
            data-testid="model-kind"
            onChange={(e) => {
              const kind = (e.target as HTMLSelectElement).value as Settings['kind'];
              update({ kind, baseUrl: form.baseUrl === DEFAULT_URL[form.kind] ? DEFAULT_URL[kind] : form.baseUrl });
            }}
          >
            <option value="ollama">{t('modelKindOllama')}</option>
            <option value="openai">{t('modelKindOpenai')}</option>
          </select>
        </label>
        <label>
          {t('modelUrl')}
          <input value={form.baseUrl} data-testid="model-url" inputMode="url" onInput={(e) => update({ baseUrl: (e.target as HTMLInputElement).value })} />
        </label>
        <label>
          {t('modelKey')}
          <input type="password" value={form.apiKey} data-testid="model-key" autocomplete="off" onInput={(e) => update({ apiKey: (e.target as HTMLInputElement).value })} />
        </label>
        <label title={t('modelContextWindowHint')}>
          {t('modelContextWindow')}
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
          {t('modelName')}
          <span class="form-row">
            <select value={form.model} data-testid="model-name" aria-label={t('modelName')} onChange={(e) => update({ model: (e.target as HTMLSelectElement).value })}>
              <option value="">{t('modelNone')}</option>
              {[...new Set([form.model, ...models])].filter(Boolean).map((m) => (
                <option key={m} value={m}>
                  {m}
                </option>
              ))}
            </select>
            <button type="button" data-testid="model-list" onClick={() => void loadModels()}>
              {t('modelLoadList')}
            </button>
          </span>
        </label>
      </div>
      <div class="form-row">
        <button type="button" class="primary" data-testid="model-save" disabled={busy} onClick={() => void save()}>
          {t('modelSaveAndTest')}
        </button>
        <button type="button" onClick={() => void sendCommand('chat.setSettings', { settings: null }).then(() => setStatus({ kind: 'ok', text: t('modelRemoved') }))}>
          {t('modelRemove')}
        </button>
      </div>
      {status && (
        <p class={status.kind} data-testid="model-status" data-kind={status.kind} role="status">
          {status.text} {status.code && <span class="error-code">({status.code})</span>}
        </p>
      )}
    </section>
  );
}
