// THREAD=ORDEREDSUBJECT (RFC 5256 section 2.2 "ORDEREDSUBJECT"): messages
// with the same base subject form one thread, the first by sent date its
// root and the others its children in date order; threads are ordered by the
// date of their first message. Pure.
import { baseSubject } from './base-subject.ts';
import { compareSent, type ThreadMessage, type ThreadNode } from './thread-tree.ts';
import { casemapKey } from './unicode-casemap.ts';

export function threadOrderedSubject(messages: ThreadMessage[]): ThreadNode[] {
  const groups = new Map<string, ThreadMessage[]>();
  for (const message of [...messages].sort(compareSent)) {
    const key = casemapKey(baseSubject(message.subject).text);
    const group = groups.get(key);
    if (group) group.push(message);
    else groups.set(key, [message]);
  }
  const threads = [...groups.values()].map(([first, ...rest]) => ({
    message: first,
    children: rest.map((message) => ({ message, children: [] })),
  }));
  return threads.sort((a, b) => compareSent(a.message, b.message));
}
