/**
 * "Related" for the side panel's page and thread: collapsed by default, and `search.related`
 * is asked only when the user expands it (the panel's open time is benchmarked; nothing here
 * runs before that).
 */
import { useMemo, useState } from 'preact/hooks';
import type { CommandResult } from '../../../shared/commands';
import type { AppError } from '../../../shared/errors';
import type { SearchHit } from '../../../shared/commands/search';
import { isOpenableUrl } from '../../../shared/search/omnibox';
import { urlKey } from '../../../shared/url';
import { sendCommand } from '../../commands/client';
import { HitList } from './HitList';
import { groupHits } from './model';
import { openHit } from './open';
import { t } from '../i18n';
import { ErrorText } from '../components/ErrorText';

type Related = { state: 'closed' } | { state: 'loading' } | { state: 'ready'; value: CommandResult<'search.related'> } | { state: 'failed'; error: AppError };

export function RelatedSection({ url, threadId }: { url: string | null; threadId: string }) {
  const [related, setRelated] = useState<Related>({ state: 'closed' });
  const [selected, setSelected] = useState<SearchHit | null>(null);
  const load = () => {
    setRelated({ state: 'loading' });
    const params = url && isOpenableUrl(url) ? { url, threadId, limit: 10 } : { threadId, limit: 10 };
    void sendCommand('search.related', params).then((reply) => setRelated(reply.ok ? { state: 'ready', value: reply.result } : { state: 'failed', error: reply.error }));
  };
  const groups = useMemo(() => (related.state === 'ready' ? groupHits(related.value.hits.filter((hit) => !isSelf(hit, url, threadId))) : []), [related, threadId]);
  return (
    <section class="related" data-testid="related">
      <details
        onToggle={(event) => {
          if ((event.currentTarget as HTMLDetailsElement).open && (related.state === 'closed' || related.state === 'failed')) load();
        }}
      >
        <summary data-testid="related-toggle">
          <h2 class="inline">{t('relatedTitle')}</h2>
        </summary>
        {related.state === 'loading' && <p class="muted">{t('relatedLooking')}</p>}
        {related.state === 'failed' && (
          <ErrorText error={related.error} testId="related-error" />
        )}
        {related.state === 'ready' &&
          (groups.length === 0 ? (
            <p class="muted" data-testid="related-none">
              {t('relatedNone')}
            </p>
          ) : (
            <>
              <HitList groups={groups} idPrefix="related" selected={selected} onOpen={(hit) => void openHit(hit)} onHover={setSelected} label={t('relatedItems')} />
              <p class="muted">{related.value.by === 'vector' ? t('relatedByMeaning') : t('relatedByWords')}</p>
            </>
          ))}
      </details>
    </section>
  );
}

/** The panel's own thread and page are not "related" to themselves. */
function isSelf(hit: SearchHit, url: string | null, threadId: string): boolean {
  if (hit.kind === 'thread') return hit.key === threadId;
  if ((hit.kind === 'visit' || hit.kind === 'page') && url && hit.url) return urlKey(hit.url) === urlKey(url);
  return false;
}
