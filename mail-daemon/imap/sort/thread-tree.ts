// What both THREAD algorithms (RFC 5256 section 2.2 and 4) take and give:
// messages with the fields threading reads, and a forest of threads whose
// nodes are messages or, for REFERENCES, dummies (a parent that is not in the
// mailbox). Written out as the THREAD response's thread-list. Pure.
export interface ThreadMessage {
  /** What the response names the message by: its sequence number or UID; ascending in mailbox order. */
  id: number;
  /** Decoded subject. */
  subject: string;
  /** The sent date (RFC 5256 2.2: the Date field, else the internal date), in ms. */
  date: number;
  /** "<id@host>" or "". */
  messageId: string;
  /** The References ids in order, with brackets. */
  references: string[];
  /** The first In-Reply-To id, or "". */
  inReplyTo: string;
}

export interface ThreadNode {
  /** Null for a dummy. */
  message: ThreadMessage | null;
  children: ThreadNode[];
}

/** RFC 5256 2.2: by sent date, then by order in the mailbox. */
export function compareSent(a: ThreadMessage, b: ThreadMessage): number {
  return a.date - b.date || a.id - b.id;
}

/**
 * RFC 5256 section 4 thread-list: "(3 6 (4 23)(44 7 96))". A message with
 * one child is followed by it; with more, each child is a parenthesized
 * thread; a dummy is only its children. Chains are written in a loop, so a
 * long reply chain needs no deep recursion.
 */
export function formatThreads(roots: ThreadNode[]): string {
  return roots.map((root) => `(${formatMembers(root)})`).join('');
}

function formatMembers(node: ThreadNode): string {
  const ids: number[] = [];
  let current = node;
  while (current.message && current.children.length === 1) {
    ids.push(current.message.id);
    current = current.children[0];
  }
  if (current.message) ids.push(current.message.id);
  const nested = current.children.map((child) => `(${formatMembers(child)})`).join('');
  return ids.length > 0 && nested ? `${ids.join(' ')} ${nested}` : ids.join(' ') || nested;
}
