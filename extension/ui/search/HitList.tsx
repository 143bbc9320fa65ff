/**
 * Search hits grouped by kind, as a listbox of options (the search box and the Related list).
 * Every title, URL and snippet is page- or model-derived text: rendered as text nodes and <mark>.
 */
import type { SearchHit } from '../../../shared/commands/search';
import { plural, t } from '../i18n';
import { displayUrl, hitDomId, type HitGroup } from './model';
import { Highlighted } from './Highlighted';

export function HitList({ groups, idPrefix, selected, onOpen, onHover, label }: { groups: HitGroup[]; idPrefix: string; selected: SearchHit | null; onOpen: (hit: SearchHit) => void; onHover?: (hit: SearchHit) => void; label: string }) {
  return (
    <div class="search-results" role="listbox" id={`${idPrefix}-list`} aria-label={label} data-testid="search-results">
      {groups.map((group) => (
        <div key={group.kind} class="search-group" role="group" aria-labelledby={`${idPrefix}-group-${group.kind}`} data-testid="search-group" data-kind={group.kind}>
          <h3 id={`${idPrefix}-group-${group.kind}`} role="presentation">
            {t(group.label)} <span class="muted">{group.hits.length}</span>
          </h3>
          {group.hits.map((hit) => (
            <HitRow key={`${hit.kind}:${hit.key}`} hit={hit} id={hitDomId(idPrefix, hit)} selected={hit === selected} onOpen={onOpen} onHover={onHover} />
          ))}
        </div>
      ))}
    </div>
  );
}

function HitRow({ hit, id, selected, onOpen, onHover }: { hit: SearchHit; id: string; selected: boolean; onOpen: (hit: SearchHit) => void; onHover?: (hit: SearchHit) => void }) {
  return (
    <div
      id={id}
      role="option"
      aria-selected={selected}
      class={selected ? 'search-hit selected' : 'search-hit'}
      data-testid="search-hit"
      data-kind={hit.kind}
      data-key={hit.key}
      // The input keeps the focus (keyboard navigation lives there); a click must not steal it first.
      onMouseDown={(event) => event.preventDefault()}
      onClick={() => onOpen(hit)}
      onMouseMove={onHover ? () => !selected && onHover(hit) : undefined}
    >
      <div class="search-hit-title truncate">
        <Highlighted text={hit.title || hit.url || t('untitledPage')} marks={hit.title ? hit.titleMarks : []} />
      </div>
      <div class="search-hit-meta muted truncate">
        {hit.url && <span class="search-hit-url">{displayUrl(hit.url)}</span>}
        {hit.url && ' · '}
        <time dateTime={new Date(hit.at).toISOString()}>{new Date(hit.at).toLocaleDateString()}</time>
        {hit.visits !== null && hit.visits > 1 && ` · ${plural(hit.visits, 'countVisits_one', 'countVisits_other')}`}
        {hit.match === 'vector' && ` · ${t('searchSimilarMeaning')}`}
      </div>
      {hit.snippet.text && (
        <div class="search-hit-snippet" data-testid="search-snippet">
          <Highlighted text={hit.snippet.text} marks={hit.snippet.marks} />
        </div>
      )}
    </div>
  );
}
