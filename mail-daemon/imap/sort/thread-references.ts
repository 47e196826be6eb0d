// THREAD=REFERENCES (RFC 5256 section 2.2 "REFERENCES"): threads from the
// Message-ID, References and In-Reply-To fields, then threads whose roots
// share a base subject gathered together. Where the RFC leaves a choice,
// Dovecot's is taken, so that a client sees the same threads on either
// server: a conflicting parent link keeps the first one, a duplicate
// Message-ID keeps its first message, and only ids with an "@" count. Pure.
import { baseSubject } from './base-subject.ts';
import { compareSent, type ThreadMessage, type ThreadNode } from './thread-tree.ts';
import { casemapKey } from './unicode-casemap.ts';

interface Container {
  message: ThreadMessage | null;
  parent: Container | null;
  /** Filled after linking, dummies left out (step 4). */
  children: Container[];
}

interface Root {
  node: Container;
  /** The message the root sorts by: itself, or a dummy's oldest child. */
  first: ThreadMessage | null;
  ignore: boolean;
  replyOrForward: boolean;
  /** Step 6: the root this one is merged into. */
  mergeInto: Root | null;
}

/** An id as it compares (the store keeps them with brackets, white space removed); null when it has no "@" (not a msg-id). */
function idKey(id: string): string | null {
  return id.includes('@') ? id : null;
}

export function threadReferences(messages: ThreadMessage[]): ThreadNode[] {
  const table = new Map<string, Container>();
  const all: Container[] = [];
  const containerOf = (key: string): Container => {
    let container = table.get(key);
    if (!container) {
      container = { message: null, parent: null, children: [] };
      table.set(key, container);
      all.push(container);
    }
    return container;
  };

  // Step 1, in mailbox order.
  for (const message of [...messages].sort((a, b) => a.id - b.id)) {
    // 1A: the message's container; a message without an id, or with one taken, gets its own.
    const key = idKey(message.messageId);
    let container = key === null ? null : containerOf(key);
    if (!container || container.message) {
      container = { message: null, parent: null, children: [] };
      all.push(container);
    }
    container.message = message;
    // 1B: link the references in order; In-Reply-To stands in for a missing References.
    let references = message.references.map(idKey).filter((k): k is string => k !== null);
    if (references.length === 0) references = [idKey(message.inReplyTo)].filter((k): k is string => k !== null);
    let parent: Container | null = null;
    for (const reference of references) {
      const next = containerOf(reference);
      if (parent) link(parent, next);
      parent = next;
    }
    // 1C: the last reference is the message's parent; one set from another message's References gives way.
    if (container.parent !== parent) container.parent = null;
    if (parent) link(parent, container);
  }

  // Steps 2-4: roots are the containers without a parent; dummies below a root are left out,
  // a message hanging from its nearest ancestor that is a message (or from the dummy root).
  const roots: Root[] = [];
  for (const container of all) {
    if (!container.parent) {
      roots.push({ node: container, first: container.message, ignore: false, replyOrForward: false, mergeInto: null });
      continue;
    }
    if (!container.message) continue;
    let parent = container.parent;
    while (!parent.message && parent.parent) parent = parent.parent;
    parent.children.push(container);
  }

  // Step 5: sort the roots; a dummy sorts by its oldest child, and one with a single child is replaced by it.
  sortRoots(roots);
  // Step 6: gather roots with the same base subject.
  if (gatherSubjects(roots)) sortRoots(roots);

  // Step 7: children by sent date, at every level.
  return roots.filter((r) => !r.ignore).map((r) => treeOf(r.node));
}

/** Makes `parent` the parent of `child`, unless that makes a loop or `child` has one already. */
function link(parent: Container, child: Container): void {
  // A parent once set stays, so only a child without one costs the walk up from `parent`.
  if (child.parent) return;
  for (let node: Container | null = parent; node; node = node.parent) if (node === child) return;
  child.parent = parent;
}

function sortRoots(roots: Root[]): void {
  for (const root of roots) {
    if (root.ignore || root.node.message) continue;
    const children = root.node.children;
    if (children.length === 0) {
      root.ignore = true;
      continue;
    }
    children.sort((a, b) => compareSent(a.message!, b.message!));
    if (children.length === 1) root.node = children[0];
    root.first = children[0].message;
  }
  roots.sort((a, b) => (a.ignore || b.ignore ? Number(a.ignore) - Number(b.ignore) : compareSent(a.first!, b.first!)));
}

/** RFC 5256 REFERENCES step 6; true when a thread was merged into another. */
function gatherSubjects(roots: Root[]): boolean {
  const bySubject = new Map<string, Root>();
  for (const root of roots) {
    if (root.ignore) continue;
    const { text, replyOrForward } = baseSubject(root.first!.subject);
    root.replyOrForward = replyOrForward;
    // 6B(ii): an empty subject gathers nothing.
    if (text === '') continue;
    const key = casemapKey(text);
    const held = bySubject.get(key);
    if (!held) {
      bySubject.set(key, root);
    } else if (held.node.message && (!root.node.message || (held.replyOrForward && !replyOrForward))) {
      // 6B(iv): a dummy, or a message that is no reply, takes the entry; the one there joins it.
      held.mergeInto = root;
      bySubject.set(key, root);
    } else {
      root.mergeInto = held;
    }
  }
  let merged = false;
  const count = roots.length;
  for (let i = 0; i < count; i++) {
    const current = roots[i];
    if (!current.mergeInto || current.ignore) continue;
    merged = true;
    let target = current.mergeInto;
    while (target.mergeInto) target = target.mergeInto;
    if (!current.node.message) {
      // 6C: two dummies: the children of both become siblings.
      target.node.children.push(...current.node.children);
      current.node.children = [];
    } else if (!target.node.message || (current.replyOrForward && !target.replyOrForward)) {
      // A message joins a dummy, and a reply joins the thread it replies to.
      target.node.children.push(current.node);
    } else {
      // Otherwise both go under a new dummy, which takes the subject's entry.
      const dummy: Root = {
        node: { message: null, parent: null, children: [target.node, current.node] },
        first: null,
        ignore: false,
        replyOrForward: false,
        mergeInto: null,
      };
      target.mergeInto = dummy;
      target.ignore = true;
      roots.push(dummy);
    }
    current.ignore = true;
  }
  return merged;
}

function treeOf(root: Container): ThreadNode {
  const top: ThreadNode = { message: root.message, children: [] };
  const stack: [Container, ThreadNode][] = [[root, top]];
  while (stack.length > 0) {
    const [container, node] = stack.pop()!;
    const children = [...container.children].sort((a, b) => compareSent(a.message!, b.message!));
    for (const child of children) {
      const childNode: ThreadNode = { message: child.message, children: [] };
      node.children.push(childNode);
      stack.push([child, childNode]);
    }
  }
  return top;
}
