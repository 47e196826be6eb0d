// THREAD and UID THREAD (RFC 5256 4) with the ORDEREDSUBJECT and REFERENCES
// algorithms (RFC 5256 2.2); selected. The criteria are SEARCH's, run by the
// same code; threading reads the subject, sent date and the Message-ID,
// References and In-Reply-To ids kept at delivery (sort-fields-cache.ts),
// and the answer is kept until the messages threaded or their numbers change.
import { ImapParseError } from '../parser/command-parser.ts';
import { charsetName, parseSearchCriteria } from '../parser/search-keys.ts';
import { checkSearchCharset, searchSelected } from '../search-selected.ts';
import { threadOrderedSubject } from '../sort/thread-orderedsubject.ts';
import { threadReferences } from '../sort/thread-references.ts';
import { formatThreads, type ThreadMessage, type ThreadNode } from '../sort/thread-tree.ts';
import { keptAnswer } from '../sort/sort-fields-cache.ts';
import { SELECTED, defineCommand } from './command.ts';

export const THREAD_ALGORITHMS: Record<string, (messages: ThreadMessage[]) => ThreadNode[]> = {
  ORDEREDSUBJECT: threadOrderedSubject,
  REFERENCES: threadReferences,
};

export const threadCommand = defineCommand({
  name: 'THREAD',
  states: SELECTED,
  hasUidForm: true,
  holdsExpunges: true,
  // THREAD algorithm charset search-key...
  parse: (args) => {
    const name = args.atom('threading algorithm').toUpperCase();
    const algorithm = THREAD_ALGORITHMS[name];
    if (!algorithm) throw new ImapParseError(`unknown threading algorithm ${name.slice(0, 20)}`);
    const tokens = args.rest();
    return { name, algorithm, charset: charsetName(tokens[0]), key: parseSearchCriteria(tokens.slice(1)) };
  },
  async handle({ session, uid }, { name, algorithm, charset, key }) {
    checkSearchCharset(charset);
    const found = await searchSelected(session, key);
    const uids = found.map((f) => f.uid);
    const ids = uid ? uids : found.map((f) => f.seq);
    const threads = await keptAnswer(session.store, session.account!.id, session.selected!, `${uid ? 'UID ' : ''}THREAD ${name}`, uids, ids, (fields) => {
      const messages: ThreadMessage[] = [];
      fields.forEach((value, i) => {
        if (value) messages.push({ id: ids[i], subject: value.subject, date: value.sent, messageId: value.messageId, references: value.references, inReplyTo: value.inReplyTo });
      });
      return formatThreads(algorithm(messages));
    });
    session.untagged(...(threads ? ['THREAD', threads] : ['THREAD']));
  },
});
