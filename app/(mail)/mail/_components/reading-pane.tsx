'use client';
// The reading pane: the open message (with Back on a phone, where it takes
// the whole screen), or a hint when none is open.
import { api, type MessageView } from './mail-api.ts';
import { Reader, useThread, type ReaderCommand } from './reader.tsx';

export function ReadingPane({
  view,
  remote,
  inJunk,
  onClose,
  onCommand,
  onOpen,
  onShown,
  onError,
}: {
  view: MessageView | null;
  remote: boolean;
  inJunk: boolean;
  onClose: () => void;
  onCommand: (command: ReaderCommand, id: number) => void;
  onOpen: (id: number) => void;
  /** The message again, with its remote images. */
  onShown: (view: MessageView) => void;
  onError: (error: unknown) => void;
}) {
  const thread = useThread(view);
  return (
    <main className={`${view ? 'flex' : 'hidden md:flex'} min-h-0 flex-col`}>
      {view ? (
        <>
          <button type="button" className="m-2 self-start text-sm underline md:hidden" onClick={onClose}>← Back</button>
          <Reader
            view={view}
            thread={thread}
            remote={remote}
            isDraft={view.draft}
            inJunk={inJunk}
            onCommand={(c) => onCommand(c, view.id)}
            onOpen={onOpen}
            onShowImages={(always) => {
              const allowed = always && view.from[0] ? api.allowImagesFrom(view.from[0].address) : Promise.resolve(null);
              void allowed.then(() => api.message(view.id, true)).then(onShown).catch(onError);
            }}
          />
        </>
      ) : (
        <p className="m-auto text-sm text-muted">Select a message to read it. Press ? for keyboard shortcuts.</p>
      )}
    </main>
  );
}
