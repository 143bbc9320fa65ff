/** Domains never captured (tabs, visits, pages). A rule matches whole host labels, never substrings. */
import { useEffect, useState } from 'preact/hooks';
import type { BlockRule } from '../../../shared/blocklist';
import { sendCommand } from '../../commands/client';

export function BlocklistSettings() {
  const [rules, setRules] = useState<BlockRule[]>([]);
  const [domain, setDomain] = useState('');
  const [subdomains, setSubdomains] = useState(true);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    void sendCommand('capture.getBlocklist', {}).then((reply) => reply.ok && setRules(reply.result.rules));
  }, []);
  const save = (next: BlockRule[]) =>
    void sendCommand('capture.setBlocklist', { rules: next }).then((reply) => {
      if (reply.ok) {
        setRules(reply.result.rules);
        setDomain('');
        setError(null);
      } else setError(`${reply.error.code}: ${reply.error.message}`);
    });
  return (
    <section data-testid="blocklist">
      <h2>Never capture</h2>
      <p class="muted">Incognito tabs are never captured. Add domains to skip their tabs, visits and pages.</p>
      <ul>
        {rules.map((rule) => (
          <li key={rule.domain} data-testid="blocklist-rule">
            {rule.domain}
            {rule.subdomains ? ' and its subdomains' : ' (exact host)'}{' '}
            <button type="button" class="link" onClick={() => save(rules.filter((r) => r.domain !== rule.domain))}>
              remove
            </button>
          </li>
        ))}
      </ul>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          save([...rules, { domain, subdomains }]);
        }}
      >
        <input value={domain} placeholder="example.com" data-testid="blocklist-input" onInput={(e) => setDomain((e.target as HTMLInputElement).value)} />{' '}
        <label>
          <input type="checkbox" checked={subdomains} onChange={(e) => setSubdomains((e.target as HTMLInputElement).checked)} /> subdomains
        </label>{' '}
        <button type="submit">Add</button>
      </form>
      {error && (
        <p class="error" data-testid="blocklist-error">
          {error}
        </p>
      )}
    </section>
  );
}
