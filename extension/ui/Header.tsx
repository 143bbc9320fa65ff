export function Header({ title }: { title: string }) {
  return (
    <header class="app">
      <h1>HydraFlow</h1>
      <span class="muted">{title}</span>
    </header>
  );
}
