/**
 * Domains never captured (tabs, visits, pages). A rule matches whole host labels, never
 * substrings. The list follows the stored rules live (a change from another page shows here).
 */
import { useEffect, useState } from 'preact/hooks';
import type { BlockRule } from '../../../shared/blocklist';
import type { AppError } from '../../../shared/errors';
import { sendCommand } from '../../commands/client';
import { ErrorText } from '../components/ErrorText';
import { useSettingsRow } from '../hooks';
import { t } from '../i18n';

export function BlocklistSettings() {
  const [rules, setRules] = useState<BlockRule[]>([]);
  const [domain, setDomain] = useState('');
  const [subdomains, setSubdomains] = useState(true);
  const [error, setError] = useState<AppError | null>(null);
  const stored = useSettingsRow('capture.blocklist');
  useEffect(() => {
    void sendCommand('capture.getBlocklist', {}).then((reply) => reply.ok && setRules(reply.result.rules));
  }, [stored]);
  const save = (next: BlockRule[]) =>
    void sendCommand('capture.setBlocklist', { rules: next }).then((reply) => {
      if (reply.ok) {
        setRules(reply.result.rules);
        setDomain('');
        setError(null);
      } else setError(reply.error);
    });
  return (
    <section data-testid="blocklist">
      <h2>{t('blocklistTitle')}</h2>
      <p class="hint">{t('blocklistHint')}</p>
      {rules.length === 0 ? (
        <p class="muted" data-testid="blocklist-empty">{t('blocklistEmpty')}</p>
      ) : (
        <ul>
          {rules.map((rule) => (
            <li key={rule.domain} data-testid="blocklist-rule">
              {rule.subdomains ? t('blocklistRuleSubdomains', rule.domain) : t('blocklistRuleExact', rule.domain)}{' '}
              <button type="button" class="link" aria-label={t('blocklistRemoveLabel', rule.domain)} onClick={() => save(rules.filter((r) => r.domain !== rule.domain))}>
                {t('remove')}
              </button>
            </li>
          ))}
        </ul>
      )}
      <form
        class="form-row"
        onSubmit={(event) => {
          event.preventDefault();
          save([...rules, { domain, subdomains }]);
        }}
      >
        <label>
          {t('blocklistDomain')}
          <input value={domain} placeholder={t('blocklistDomainExample')} data-testid="blocklist-input" onInput={(e) => setDomain((e.target as HTMLInputElement).value)} />
        </label>
        <label>
          <input type="checkbox" checked={subdomains} onChange={(e) => setSubdomains((e.target as HTMLInputElement).checked)} /> {t('blocklistSubdomains')}
        </label>
        <button type="submit" data-testid="blocklist-add">{t('blocklistAdd')}</button>
      </form>
      {error && <ErrorText error={error} testId="blocklist-error" />}
    </section>
  );
}
