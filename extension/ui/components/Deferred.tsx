/**
 * Renders a section whose code is loaded after the page's first paint: secondary tools (repo
 * tools and their schemas) must not delay what the user opened the page for.
 */
import type { ComponentType } from 'preact';
import { useEffect, useState } from 'preact/hooks';

export function Deferred({ load }: { load: () => Promise<ComponentType> }) {
  const [Loaded, setLoaded] = useState<ComponentType | null>(null);
  useEffect(() => {
    let live = true;
    void load().then((component) => live && setLoaded(() => component));
    return () => {
      live = false;
    };
  }, []);
  return Loaded ? <Loaded /> : null;
}
