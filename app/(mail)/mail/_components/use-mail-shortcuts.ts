'use client';
// Keyboard shortcuts of the message list (see SHORTCUTS), outside text fields
// and while no composer is open; j/k move the real focus too, so screen
// readers follow and Tab continues from there.
import { useEffect, useRef } from 'react';

export type ShortcutKey = 'j' | 'k' | 'o' | 'Enter' | 'x' | 'u' | 's' | 'r' | 'a' | 'f' | 'e' | '#' | '/' | 'c' | '?' | 'Escape';

export function useMailShortcuts(enabled: boolean, handlers: Record<ShortcutKey, () => void>, focus: number) {
  const latest = useRef(handlers);
  latest.current = handlers;
  useEffect(() => {
    if (!enabled) return;
    const onKey = (e: KeyboardEvent) => {
      const target = e.target as HTMLElement;
      if (e.ctrlKey || e.metaKey || e.altKey) return;
      // Typing in a field is typing; a checkbox with focus still takes shortcuts.
      if (target.closest('input:not([type=checkbox]), textarea, select, [contenteditable="true"]')) {
        if (e.key === 'Escape') target.blur();
        return;
      }
      const run = Object.hasOwn(latest.current, e.key) ? latest.current[e.key as ShortcutKey] : undefined;
      if (!run) return;
      e.preventDefault();
      run();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [enabled]);

  useEffect(() => {
    const rowElement = document.querySelector<HTMLElement>(`[data-row-index="${focus}"]`);
    rowElement?.scrollIntoView({ block: 'nearest' });
    const active = document.activeElement;
    if (!active || active === document.body || active.closest('[data-testid=message-list]')) rowElement?.querySelector<HTMLElement>('button')?.focus({ preventScroll: true });
  }, [focus]);
}
