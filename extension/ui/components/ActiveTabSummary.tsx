import { useActiveTab } from './ActiveTab';

/** Title and URL of the active tab, rendered as text (page titles are untrusted). */
export function ActiveTabSummary() {
  const tab = useActiveTab();
  return (
    <section data-testid="active-tab">
      <h2>This tab</h2>
      {tab ? (
        <>
          <p class="truncate" title={tab.title ?? ''}>
            {tab.title || 'Untitled'}
          </p>
          <p class="truncate muted">{tab.url ?? ''}</p>
        </>
      ) : (
        <p class="muted">No active tab.</p>
      )}
    </section>
  );
}
