import { useEffect, useRef, type ReactNode } from 'react';

interface DialogProps {
  open: boolean;
  /** The id of the heading inside that names the dialog. */
  labelledBy: string;
  onCancel: () => void;
  children: ReactNode;
}

/** A modal on the native <dialog>: focus stays inside while it is open, Escape calls `onCancel`. */
export function Dialog({ open, labelledBy, onCancel, children }: DialogProps) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    // jsdom has no showModal: fall back to the open attribute there.
    if (open && !dialog.open) {
      if (typeof dialog.showModal === 'function') dialog.showModal();
      else dialog.setAttribute('open', '');
    } else if (!open && dialog.open) {
      if (typeof dialog.close === 'function') dialog.close();
      else dialog.removeAttribute('open');
    }
  }, [open]);
  return (
    <dialog
      ref={ref}
      className="dialog"
      aria-labelledby={labelledBy}
      onCancel={(event) => {
        event.preventDefault();
        onCancel();
      }}
    >
      {children}
    </dialog>
  );
}
