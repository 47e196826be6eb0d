'use client';
// The name of a new folder, or the new name of one: an inline form in the
// folder list instead of a browser prompt, so that it is labelled, keeps
// focus order, and shows what is wrong with a name next to the field.
import { useEffect, useRef, useState } from 'react';

/** The longest folder name the form takes; the store checks the rest (characters, duplicates). */
export const MAX_FOLDER_NAME = 200;

export function FolderNameForm(props: {
  label: string;
  initial?: string;
  submitLabel: string;
  /** Resolves when done; rejects with the message to show next to the field. */
  onSubmit: (name: string) => Promise<void>;
  onCancel: () => void;
}) {
  const [name, setName] = useState(props.initial ?? '');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => input.current?.select(), []);

  async function submit(event: React.FormEvent) {
    event.preventDefault();
    const trimmed = name.trim();
    if (!trimmed) return setError('Enter a name.');
    if (trimmed.length > MAX_FOLDER_NAME) return setError(`At most ${MAX_FOLDER_NAME} characters.`);
    setBusy(true);
    try {
      await props.onSubmit(trimmed);
    } catch (e) {
      setError(e instanceof Error ? e.message : 'Something went wrong.');
    } finally {
      setBusy(false);
    }
  }

  return (
    <form onSubmit={submit} onKeyDown={(e) => e.key === 'Escape' && props.onCancel()} className="mt-2 flex flex-col gap-1 text-xs" data-testid="folder-name-form" noValidate>
      <label htmlFor="folder-name" className="font-medium">{props.label}</label>
      <input
        id="folder-name"
        ref={input}
        value={name}
        onChange={(e) => {
          setName(e.target.value);
          setError('');
        }}
        maxLength={MAX_FOLDER_NAME + 50}
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? 'folder-name-error' : 'folder-name-hint'}
        className="rounded border border-border bg-background px-2 py-1 text-sm"
      />
      {error ? (
        <p id="folder-name-error" role="alert" className="text-danger dark:text-danger" data-testid="folder-name-error">{error}</p>
      ) : (
        <p id="folder-name-hint" className="text-muted">Use / to nest, e.g. Projects/2026.</p>
      )}
      <div className="flex gap-2">
        <button type="submit" disabled={busy} className="rounded bg-accent px-2 py-1 text-accent-foreground disabled:opacity-50">{props.submitLabel}</button>
        <button type="button" onClick={props.onCancel} className="underline">Cancel</button>
      </div>
    </form>
  );
}
