/** The options page's current hash route, following hashchange (search hits navigate by hash). */
import { useEffect, useState } from 'preact/hooks';
import { parseOptionsHash, type OptionsRoute } from '../../../shared/search/options-route';

export function useOptionsRoute(): [OptionsRoute, (hash: string) => void] {
  const [route, setRoute] = useState<OptionsRoute>(() => parseOptionsHash(location.hash));
  useEffect(() => {
    const onChange = () => setRoute(parseOptionsHash(location.hash));
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  const go = (hash: string) => {
    if (hash) location.hash = hash;
    else {
      history.pushState(null, '', location.pathname + location.search);
      setRoute({ kind: 'home' });
    }
  };
  return [route, go];
}
