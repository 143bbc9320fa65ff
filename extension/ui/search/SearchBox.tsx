/**
 * The search box: one input, `search.query` as the user types (debounced, latest answer only),
 * hits grouped by kind, filters (kinds, date range, domain) and keyboard navigation
 * (ArrowUp/ArrowDown across all hits, Enter opens, Escape clears). Used by the side panel, the
 * popup and the options page.
 */
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { SearchHit, SearchParams } from '../../../shared/commands/search';
import type { CommandResult } from '../../../shared/commands';
import { SEARCH_KINDS, type SearchKind } from '../../../shared/search/kinds';
import { sendCommand } from '../../commands/client';
import { plural, t } from '../i18n';
import { HitList } from './HitList';
import { createSearchRunner, flatHits, groupHits, hitDomId, KIND_LABELS, moveSelection, NO_FILTERS, queryParams, type SearchFilters, type SearchState } from './model';
import { openHit } from './open';

export const SEARCH_DEBOUNCE_MS = 80;

export interface SearchBoxProps {
  /** Distinguishes DOM ids when more than one box is on a page. */
  idPrefix?: string;
  /** Filters always shown (the options page) or behind a "Filters" toggle (panel, popup). */
  filtersOpen?: boolean;
  initialQuery?: string;
  autoFocus?: boolean;
  /** After a hit was opened (the popup closes itself). */
  onOpened?: () => void;
}

/** Fired on the page's window when a search answered. */
export const SEARCHED_EVENT = 'hydraflow:searched';

export function SearchBox({ idPrefix = 'search', filtersOpen = false, initialQuery = '', autoFocus = false, onOpened }: SearchBoxProps) {
  const [q, setQ] = useState(initialQuery);
  const [filters, setFilters] = useState<SearchFilters>(NO_FILTERS);
  const [showFilters, setShowFilters] = useState(filtersOpen);
  const [result, setResult] = useState<SearchState>({ state: 'idle' });
  const [selectedIndex, setSelectedIndex] = useState(-1);
  const [openError, setOpenError] = useState<string | null>(null);
  const input = useRef<HTMLInputElement>(null);

  const runner = useMemo(
    () =>
      createSearchRunner<SearchParams, CommandResult<'search.query'>>({
        delayMs: SEARCH_DEBOUNCE_MS,
        run: (params) => sendCommand('search.query', params),
        onReply: (params, reply) => {
          setSelectedIndex(-1);
          // A search loads the index: the page's index status (SearchSection) reads it again.
          window.dispatchEvent(new Event(SEARCHED_EVENT));
          setResult(reply.ok ? { state: 'ready', q: params.q, hits: reply.result.hits, tookMs: reply.result.tookMs } : { state: 'failed', q: params.q, error: reply.error });
        },
      }),
    [],
  );
  useEffect(() => () => runner.dispose(), [runner]);
  // The box is mounted after the page's first paint (Deferred), when the autofocus attribute no longer acts.
  useEffect(() => {
    if (autoFocus) input.current?.focus();
  }, []);

  // The page's own query (options #search=) replaces what is in the box.
  useEffect(() => setQ(initialQuery), [initialQuery]);

  useEffect(() => {
    const params = queryParams(q, filters);
    if (params === null) {
      runner.request(null);
      setResult({ state: 'idle' });
      setSelectedIndex(-1);
      return;
    }
    setResult((previous) => ({ state: 'loading', q: params.q, previous: previous.state === 'ready' ? previous.hits : previous.state === 'loading' ? previous.previous : [] }));
    runner.request(params);
  }, [q, filters, runner]);

  const shownHits = result.state === 'ready' ? result.hits : result.state === 'loading' ? result.previous : [];
  const groups = useMemo(() => groupHits(shownHits), [shownHits]);
  const ordered = useMemo(() => flatHits(groups), [groups]);
  const selected = selectedIndex >= 0 ? (ordered[selectedIndex] ?? null) : null;

  useEffect(() => {
    if (selected) document.getElementById(hitDomId(idPrefix, selected))?.scrollIntoView({ block: 'nearest' });
  }, [selected, idPrefix]);

  const open = (hit: SearchHit) => {
    void openHit(hit).then(
      () => {
        setOpenError(null);
        onOpened?.();
      },
      (error: unknown) => setOpenError(`Could not open it: ${(error as Error).message}`),
    );
  };

  const onKeyDown = (event: KeyboardEvent) => {
    if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      event.preventDefault();
      setSelectedIndex((current) => moveSelection(current, ordered.length, event.key === 'ArrowDown' ? 1 : -1));
    } else if (event.key === 'Enter') {
      event.preventDefault();
      const hit = selected ?? ordered[0];
      if (hit) open(hit);
    } else if (event.key === 'Escape') {
      // An empty box lets Escape through (the popup closes on it).
      if (!q) return;
      event.preventDefault();
      event.stopPropagation();
      setQ('');
      setSelectedIndex(-1);
    }
  };

  const toggleKind = (kind: SearchKind) => setFilters((f) => ({ ...f, kinds: f.kinds.includes(kind) ? f.kinds.filter((k) => k !== kind) : [...f.kinds, kind] }));
  const filtered = filters.kinds.length > 0 || filters.from !== '' || filters.to !== '' || filters.domain.trim() !== '';

  return (
    <section class="search" data-testid="search" role="search">
      <div class="search-bar">
        <input
          ref={input}
          type="search"
          class="search-input"
          placeholder={t('searchPlaceholder')}
          value={q}
          maxLength={500}
          role="combobox"
          aria-label={t('searchLabel')}
          aria-autocomplete="list"
          aria-expanded={ordered.length > 0}
          aria-controls={`${idPrefix}-list`}
          aria-activedescendant={selected ? hitDomId(idPrefix, selected) : undefined}
          data-testid="search-input"
          onInput={(e) => setQ(e.currentTarget.value)}
          onKeyDown={onKeyDown}
        />
        {!filtersOpen && (
          <button type="button" class={filtered ? 'link active' : 'link'} aria-expanded={showFilters} data-testid="search-filters-toggle" onClick={() => setShowFilters(!showFilters)}>
            {t('searchFilters')}
            {filtered ? ' •' : ''}
          </button>
        )}
      </div>
      {showFilters && <FilterBar idPrefix={idPrefix} filters={filters} onChange={setFilters} onToggleKind={toggleKind} />}
      <SearchOutcome result={result} groups={groups} idPrefix={idPrefix} selected={selected} onOpen={open} onHover={(hit) => setSelectedIndex(ordered.indexOf(hit))} />
      {openError && <p class="error">{openError}</p>}
    </section>
  );
}

function FilterBar({ idPrefix, filters, onChange, onToggleKind }: { idPrefix: string; filters: SearchFilters; onChange: (f: SearchFilters) => void; onToggleKind: (kind: SearchKind) => void }) {
  return (
    <div class="search-filters" data-testid="search-filters">
      <div class="chips" role="group" aria-label={t('searchKinds')}>
        {SEARCH_KINDS.map((kind) => (
          <button key={kind} type="button" class="chip" aria-pressed={filters.kinds.includes(kind)} data-testid="search-kind-chip" data-kind={kind} onClick={() => onToggleKind(kind)}>
            {t(KIND_LABELS[kind])}
          </button>
        ))}
      </div>
      <div class="search-filter-row">
        <label>
          {t('searchFrom')} <input type="date" id={`${idPrefix}-from`} value={filters.from} data-testid="search-from" onChange={(e) => onChange({ ...filters, from: e.currentTarget.value })} />
        </label>
        <label>
          {t('searchTo')} <input type="date" id={`${idPrefix}-to`} value={filters.to} data-testid="search-to" onChange={(e) => onChange({ ...filters, to: e.currentTarget.value })} />
        </label>
        <label>
          {t('searchDomain')} <input type="text" placeholder={t('blocklistDomainExample')} value={filters.domain} size={14} data-testid="search-domain" onInput={(e) => onChange({ ...filters, domain: e.currentTarget.value })} />
        </label>
        <button type="button" class="link" onClick={() => onChange(NO_FILTERS)}>
          {t('searchClearFilters')}
        </button>
      </div>
    </div>
  );
}

function SearchOutcome({ result, groups, idPrefix, selected, onOpen, onHover }: { result: SearchState; groups: ReturnType<typeof groupHits>; idPrefix: string; selected: SearchHit | null; onOpen: (hit: SearchHit) => void; onHover: (hit: SearchHit) => void }) {
  if (result.state === 'idle')
    return (
      <p class="muted search-hint" data-testid="search-empty">
        {t('searchIdle')}
      </p>
    );
  if (result.state === 'failed') {
    if (result.error.code === 'SEARCH_QUERY_EMPTY')
      return (
        <p class="muted" data-testid="search-none" data-code={result.error.code} data-q={result.q}>
          {result.error.message}
        </p>
      );
    return (
      <p class="error" role="alert" data-testid="search-error" data-code={result.error.code} data-q={result.q}>
        {result.error.message}
      </p>
    );
  }
  if (result.state === 'ready' && groups.length === 0)
    return (
      <p class="muted" data-testid="search-none" data-q={result.q}>
        {t('searchNothing', result.q)}
      </p>
    );
  return (
    <div aria-busy={result.state === 'loading'} data-state={result.state} data-q={result.q}>
      <HitList groups={groups} idPrefix={idPrefix} selected={selected} onOpen={onOpen} onHover={onHover} label={t('searchResults')} />
      {result.state === 'ready' && (
        <p class="muted search-took" data-testid="search-took">
          {t('searchTook', plural(result.hits.length, 'searchResultCount_one', 'searchResultCount_other'), Math.round(result.tookMs))}
        </p>
      )}
    </div>
  );
}
