import { t } from './i18n';

/** The top bar of the popup and the side panel: the name, and what this page is. */
export function Header({ title }: { title: string }) {
  return (
    <header class="app">
      <p class="brand">{t('appName')}</p>
      <span class="muted">{title}</span>
    </header>
  );
}
