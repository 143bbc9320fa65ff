/** The tab's trail: the pages it showed, newest first (tab snapshots, one per committed navigation). */
import { useState } from 'preact/hooks';
import { useLiveQuery } from '../hooks';
import { t } from '../i18n';

const SHOWN = 30;

export function TrailSection({ tabId }: { tabId: number }) {
  const [open, setOpen] = useState(false);
  const trail = useLiveQuery((db) => (open ? db.tabSnapshots.where('[tabId+capturedAt]').between([tabId, -Infinity], [tabId, Infinity]).reverse().limit(SHOWN).toArray() : []), [tabId, open]) ?? [];
  return (
    <section data-testid="trail">
      <h2>
        <button type="button" class="link" data-testid="trail-toggle" aria-expanded={open} onClick={() => setOpen(!open)}>
          {open ? '▾' : '▸'} {t('trailTitle')}
        </button>
      </h2>
      {open && (
        <ol class="trail">
          {trail.map((step) => (
            <li key={step.id} data-testid="trail-step" title={step.url}>
              <span class="muted">{new Date(step.capturedAt).toLocaleTimeString()}</span> {step.title || step.url}
            </li>
          ))}
          {trail.length === 0 && <li class="muted">{t('trailEmpty')}</li>}
        </ol>
      )}
    </section>
  );
}
