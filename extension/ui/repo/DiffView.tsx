/** A patch shown as a diff: each line as text, classed by its prefix. Never parsed as HTML. */
import { t } from '../i18n';
const MAX_LINES = 3000;

function lineClass(line: string): string {
  if (line.startsWith('+++') || line.startsWith('---') || line.startsWith('diff ') || line.startsWith('*** ')) return 'diff-file';
  if (line.startsWith('@@')) return 'diff-hunk';
  if (line.startsWith('+')) return 'diff-add';
  if (line.startsWith('-')) return 'diff-del';
  return 'diff-ctx';
}

export function DiffView({ patch }: { patch: string }) {
  const lines = patch.split('\n');
  const shown = lines.slice(0, MAX_LINES);
  return (
    <pre class="diff" data-testid="diff-view">
      {shown.map((line, index) => (
        <div key={index} class={lineClass(line)}>
          {line || ' '}
        </div>
      ))}
      {lines.length > MAX_LINES && <div class="muted">{t('diffMoreLines', lines.length - MAX_LINES)}</div>}
    </pre>
  );
}
