'use client';
// The list of keyboard shortcuts, opened with "?".
export const SHORTCUTS: [string, string][] = [
  ['j / k', 'next / previous message'],
  ['o or Enter', 'open'],
  ['x', 'select'],
  ['u', 'mark unread'],
  ['s', 'flag'],
  ['r', 'reply'],
  ['a', 'reply all'],
  ['f', 'forward'],
  ['e', 'archive'],
  ['#', 'delete'],
  ['/', 'search'],
  ['c', 'compose'],
  ['Esc', 'close'],
  ['?', 'this list'],
];

export function ShortcutsDialog({ onClose }: { onClose: () => void }) {
  return (
    <div role="dialog" aria-label="Keyboard shortcuts" className="fixed inset-0 z-30 flex items-center justify-center bg-black/40" onClick={onClose}>
      <div className="rounded-lg bg-background p-4 shadow-xl" onClick={(e) => e.stopPropagation()}>
        <h2 className="mb-2 font-semibold">Keyboard shortcuts</h2>
        <dl className="grid grid-cols-[auto_1fr] gap-x-4 gap-y-1 text-sm">
          {SHORTCUTS.map(([key, what]) => (
            <div key={key} className="contents"><dt><kbd className="rounded border border-border px-1">{key}</kbd></dt><dd>{what}</dd></div>
          ))}
        </dl>
        <button type="button" className="mt-3 text-sm underline" onClick={onClose} autoFocus>Close</button>
      </div>
    </div>
  );
}
