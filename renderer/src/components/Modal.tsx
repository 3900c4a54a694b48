import { type FormEvent, type KeyboardEvent, type ReactNode, useEffect, useRef } from 'react';

/** A modal: focus moves into it when it opens and back when it closes; Tab cycles inside; Esc calls onCancel. */
export function Modal({ label, testId, onCancel, onSubmit, children }: { label: string; testId: string; onCancel(): void; onSubmit?(e: FormEvent): void; children: ReactNode }) {
  const box = useRef<HTMLFormElement>(null);
  useEffect(() => {
    const before = document.activeElement as HTMLElement | null;
    const first = box.current?.querySelector<HTMLElement>('[autofocus], input, select, button');
    first?.focus();
    return () => before?.focus?.();
  }, []);
  const onKeyDown = (e: KeyboardEvent) => {
    if (e.key === 'Escape') {
      e.preventDefault();
      e.stopPropagation();
      onCancel();
    } else if (e.key === 'Tab' && box.current) {
      const items = [...box.current.querySelectorAll<HTMLElement>('input, select, button, textarea')].filter((el) => !el.hasAttribute('disabled'));
      const [first, last] = [items[0], items[items.length - 1]];
      if (e.shiftKey && document.activeElement === first) {
        e.preventDefault();
        last?.focus();
      } else if (!e.shiftKey && document.activeElement === last) {
        e.preventDefault();
        first?.focus();
      }
    }
  };
  return (
    <form
      ref={box}
      className="dialog"
      role="dialog"
      aria-modal="true"
      aria-label={label}
      data-testid={testId}
      onKeyDown={onKeyDown}
      onSubmit={(e) => {
        e.preventDefault();
        onSubmit?.(e);
      }}
    >
      {children}
    </form>
  );
}
