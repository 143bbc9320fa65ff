/**
 * The omnibox keyword `hf`: typing "hf two words" in the address bar lists up to 8 hits, Enter
 * opens the chosen one (or the options page's search for plain text), in the tab the user's
 * disposition asks for. Listeners are registered synchronously at worker start (an MV3 worker
 * woken by the omnibox must find them). The XML and the Enter decision are pure:
 * shared/search/omnibox.ts.
 */
import { browser } from 'wxt/browser';
import type { SearchHit } from '../../shared/commands/search';
import { searchHash, threadHash } from '../../shared/search/options-route';
import { OMNIBOX_MAX_SUGGESTIONS, omniboxSuggestions, omniboxTarget } from '../../shared/search/omnibox';

/** Runs a query; asking for some spare hits helps (several can share a URL or thread and collapse into one suggestion). */
export type OmniboxSearch = (q: string) => Promise<SearchHit[]>;

export function registerOmnibox(search: OmniboxSearch): void {
  if (!chrome.omnibox) return;
  // Replies to older keystrokes are dropped: Chrome would otherwise show hits for text no longer typed.
  let latest = '';
  chrome.omnibox.setDefaultSuggestion({ description: 'Search HydraFlow for <match>%s</match>' });
  chrome.omnibox.onInputChanged.addListener((text, suggest) => {
    latest = text;
    if (!/[\p{L}\p{N}]/u.test(text)) {
      suggest([]);
      return;
    }
    search(text).then(
      (hits) => text === latest && suggest(omniboxSuggestions(hits, OMNIBOX_MAX_SUGGESTIONS)),
      (error: unknown) => {
        console.warn('[hydraflow] omnibox search failed', error);
        if (text === latest) suggest([]);
      },
    );
  });
  chrome.omnibox.onInputEntered.addListener((text, disposition) => {
    void openTarget(text, disposition).catch((error: unknown) => console.error('[hydraflow] omnibox open failed', error));
  });
}

async function openTarget(text: string, disposition: `${chrome.omnibox.OnInputEnteredDisposition}`): Promise<void> {
  const target = omniboxTarget(text);
  const options = browser.runtime.getURL('/options.html');
  const url = target.kind === 'url' ? target.url : target.kind === 'thread' ? `${options}${threadHash(target.threadId)}` : `${options}${searchHash(target.q)}`;
  if (disposition === 'currentTab') {
    const [active] = await browser.tabs.query({ active: true, lastFocusedWindow: true });
    if (active?.id !== undefined) {
      await browser.tabs.update(active.id, { url });
      return;
    }
  }
  await browser.tabs.create({ url, active: disposition !== 'newBackgroundTab' });
}
