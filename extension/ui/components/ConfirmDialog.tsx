/**
 * A modal confirmation for a destructive action (the design system's dialog): the native
 * <dialog> shown with showModal(), so focus moves into it, Escape cancels and the page behind is
 * inert. The body says exactly what will be deleted; the confirm button is the danger style.
 */
import type { ComponentChildren } from 'preact';
import { useEffect, useRef } from 'preact/hooks';
import { t } from '../i18n';

export function ConfirmDialog(props: { title: string; children: ComponentChildren; confirmLabel: string; onConfirm: () => void; onCancel: () => void; testId: string }) {
  const dialog = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const element = dialog.current;
    if (element && !element.open) element.showModal();
    return () => element?.close();
  }, []);
  return (
    <dialog ref={dialog} aria-labelledby={`${props.testId}-title`} data-testid={props.testId} onCancel={(event) => {
      event.preventDefault();
      props.onCancel();
    }}>
      <h2 id={`${props.testId}-title`} class="dialog-title">{props.title}</h2>
      {props.children}
      <div class="dialog-actions">
        <button type="button" data-testid={`${props.testId}-no`} onClick={props.onCancel}>
          {t('cancel')}
        </button>
        <button type="button" class="danger" data-testid={`${props.testId}-yes`} onClick={props.onConfirm}>
          {props.confirmLabel}
        </button>
      </div>
    </dialog>
  );
}
