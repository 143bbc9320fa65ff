import { t } from '../i18n';
import { useActiveTab } from './ActiveTab';

/** Title and URL of the active tab, rendered as text (page titles are untrusted). */
export function ActiveTabSummary() {
  const tab = useActiveTab();
  return (
    <section data-testid="active-tab">
      <h2>{t('activeTabTitle')}</h2>
      {tab ? (
        <>
          <p class="truncate" title={tab.title ?? ''}>
            {tab.title || t('untitledPage')}
          </p>
          <p class="truncate muted">{tab.url ?? ''}</p>
        </>
      ) : (
        <p class="muted">{t('noActiveTab')}</p>
      )}
    </section>
  );
}
