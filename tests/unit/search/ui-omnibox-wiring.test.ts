/**
 * The omnibox listeners against a fake chrome.omnibox / tabs: suggestions only for the text still
 * typed, a failed search shows none, and Enter opens in the tab the disposition names.
 */
import { beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { SearchHit } from '../../../shared/commands/search';
import type { OmniboxSuggestion } from '../../../shared/search/omnibox';
import { makeHit } from '../../support/search-hits';

type Suggest = (suggestions: OmniboxSuggestion[]) => void;
const listeners: { changed?: (text: string, suggest: Suggest) => void; entered?: (text: string, disposition: string) => void } = {};
const tabs = {
  query: vi.fn(async () => [{ id: 7, windowId: 1 }]),
  update: vi.fn(async (_id: number, _change: { url: string }) => ({})),
  create: vi.fn(async (_props: { url: string; active: boolean }) => ({})),
};
const fakeChrome = {
  runtime: { id: 'ext', getURL: (path: string) => `chrome-extension://ext${path}` },
  tabs,
  omnibox: {
    setDefaultSuggestion: vi.fn(),
    onInputChanged: { addListener: (fn: typeof listeners.changed) => (listeners.changed = fn) },
    onInputEntered: { addListener: (fn: typeof listeners.entered) => (listeners.entered = fn) },
  },
};

const pending = new Map<string, { resolve: (hits: SearchHit[]) => void; reject: (error: Error) => void }>();
const search = (q: string) => new Promise<SearchHit[]>((resolve, reject) => pending.set(q, { resolve, reject }));
const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

beforeAll(async () => {
  (globalThis as { chrome?: unknown }).chrome = fakeChrome;
  const { registerOmnibox } = await import('../../../extension/search/omnibox');
  registerOmnibox(search);
});

beforeEach(() => {
  pending.clear();
  for (const fn of Object.values(tabs)) fn.mockClear();
});

describe('omnibox listeners', () => {
  it('sets a default suggestion and suggests only for the text still typed', async () => {
    expect(fakeChrome.omnibox.setDefaultSuggestion).toHaveBeenCalledWith({ description: 'Search HydraFlow for <match>%s</match>' });
    const stale = vi.fn();
    const fresh = vi.fn();
    listeners.changed!('ow', stale);
    listeners.changed!('owl', fresh);
    pending.get('owl')!.resolve([makeHit({ kind: 'visit', key: 'v', title: 'Owl <script>', titleMarks: [[0, 3]], url: 'https://owls.test/' })]);
    pending.get('ow')!.resolve([makeHit({ kind: 'visit', key: 'w', url: 'https://ow.test/' })]);
    await tick();
    expect(stale).not.toHaveBeenCalled();
    expect(fresh).toHaveBeenCalledWith([{ content: 'https://owls.test/', description: '<dim>History</dim> <match>Owl</match> &lt;script&gt; <url>https://owls.test/</url>' }]);
  });

  it('suggests nothing for punctuation only (without asking) and for a failed search', async () => {
    const none = vi.fn();
    listeners.changed!(' ?! ', none);
    expect(none).toHaveBeenCalledWith([]);
    expect(pending.size).toBe(0);
    const failed = vi.fn();
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    listeners.changed!('owl', failed);
    pending.get('owl')!.reject(new Error('index busy'));
    await tick();
    expect(failed).toHaveBeenCalledWith([]);
    warn.mockRestore();
  });

  it('opens a URL in the current tab, a new foreground tab or a background tab as asked', async () => {
    listeners.entered!('https://owls.test/a', 'currentTab');
    await tick();
    expect(tabs.update).toHaveBeenCalledWith(7, { url: 'https://owls.test/a' });
    listeners.entered!('https://owls.test/b', 'newForegroundTab');
    listeners.entered!('https://owls.test/c', 'newBackgroundTab');
    await tick();
    expect(tabs.create.mock.calls).toEqual([[{ url: 'https://owls.test/b', active: true }], [{ url: 'https://owls.test/c', active: false }]]);
  });

  it('opens threads and typed words in the options page, and never a javascript: URL', async () => {
    listeners.entered!('hf-thread:t-1', 'newForegroundTab');
    listeners.entered!('owl nests', 'newForegroundTab');
    listeners.entered!('javascript:alert(1)', 'newForegroundTab');
    await tick();
    expect(tabs.create.mock.calls.map(([props]) => props.url)).toEqual([
      'chrome-extension://ext/options.html#thread=t-1',
      'chrome-extension://ext/options.html#search=owl+nests',
      'chrome-extension://ext/options.html#search=javascript%3Aalert%281%29',
    ]);
  });
});
