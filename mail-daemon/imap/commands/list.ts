// LIST (RFC 3501 6.3.8) with LIST-EXTENDED (RFC 5258: selection options
// SUBSCRIBED, SPECIAL-USE, RECURSIVEMATCH; return options SUBSCRIBED,
// CHILDREN, SPECIAL-USE, STATUS per RFC 5819; several patterns),
// authenticated or selected.
import { DELIMITER, listMailboxes, listSubscriptions, parentNames } from '../../store/mailboxes.ts';
import { patternMatcher, withAttributes } from '../mailbox-list.ts';
import { parseStatusItems, statusValues, type StatusItem } from '../mailbox-status.ts';
import { atomsOf, type ArgumentReader } from '../parser/argument-reader.ts';
import { ImapParseError, type Token } from '../parser/command-parser.ts';
import { looseMailboxFromWire, mailboxToWire } from '../parser/mailbox-name.ts';
import { str } from '../parser/response.ts';
import type { ImapSession } from '../imap-session.ts';
import { AUTHENTICATED, defineCommand } from './command.ts';

interface ListInput {
  reference: string;
  patterns: string[];
  subscribedOnly: boolean;
  specialUseOnly: boolean;
  returnSubscribed: boolean;
  recursiveMatch: boolean;
  status: StatusItem[] | null;
}

const SELECTION = new Set(['SUBSCRIBED', 'REMOTE', 'RECURSIVEMATCH', 'SPECIAL-USE']);
const RETURN = new Set(['SUBSCRIBED', 'CHILDREN', 'SPECIAL-USE', 'STATUS']);

function patternsOf(args: ArgumentReader, session: ImapSession): string[] {
  const list = args.optionalList();
  const tokens: Token[] = list ?? [args.next('mailbox pattern')];
  if (tokens.length === 0) throw new ImapParseError('empty pattern list');
  return tokens.map((token) => {
    if (token.type === 'list' || (token.type === 'atom' && token.section)) throw new ImapParseError('invalid mailbox pattern');
    return looseMailboxFromWire(token.type === 'atom' ? Buffer.from(token.value, 'latin1') : token.value, session.utf8);
  });
}

export const listCommand = defineCommand({
  name: 'LIST',
  states: AUTHENTICATED,
  parse(args, { session }): ListInput {
    const selection = atomsOf(args.optionalList() ?? [], 'selection option').map((o) => o.toUpperCase());
    for (const option of selection) if (!SELECTION.has(option)) throw new ImapParseError(`unknown selection option ${option.slice(0, 20)}`);
    // RFC 5258 3.1: RECURSIVEMATCH only qualifies another selection option (REMOTE does not count).
    const recursiveMatch = selection.includes('RECURSIVEMATCH');
    if (recursiveMatch && !selection.some((o) => o !== 'RECURSIVEMATCH' && o !== 'REMOTE')) throw new ImapParseError('RECURSIVEMATCH needs another selection option');
    const reference = looseMailboxFromWire(args.astringBytes('reference'), session.utf8);
    const patterns = patternsOf(args, session);
    let returnSubscribed = selection.includes('SUBSCRIBED');
    let status: StatusItem[] | null = null;
    if (args.optionalWord('RETURN')) {
      const options = args.list('return options');
      for (let i = 0; i < options.length; i++) {
        const [option] = atomsOf([options[i]], 'return option').map((o) => o.toUpperCase());
        if (!RETURN.has(option)) throw new ImapParseError(`unknown return option ${option.slice(0, 20)}`);
        if (option === 'SUBSCRIBED') returnSubscribed = true;
        if (option === 'STATUS') {
          const items = options[++i];
          if (items?.type !== 'list') throw new ImapParseError('STATUS needs a list of items');
          status = parseStatusItems(atomsOf(items.items, 'status item'));
        }
      }
    }
    args.end();
    return { reference, patterns, subscribedOnly: selection.includes('SUBSCRIBED'), specialUseOnly: selection.includes('SPECIAL-USE'), returnSubscribed, recursiveMatch, status };
  },
  async handle({ session }, input) {
    // RFC 3501 6.3.8: an empty pattern asks for the delimiter and the root.
    if (input.patterns.length === 1 && input.patterns[0] === '') {
      session.untagged('LIST', ['\\Noselect'], str(DELIMITER), str(''));
      return;
    }
    const accountId = session.account!.id;
    const matchers = input.patterns.map((p) => patternMatcher(input.reference, p));
    const matches = (name: string) => matchers.some((m) => m(name));
    const subscribed = input.returnSubscribed ? new Set(await listSubscriptions(session.store, accountId)) : null;
    const existing = new Map(withAttributes(await listMailboxes(session.store, accountId), { subscribed }).map((l) => [l.mailbox.name, l]));
    const found = new Map<string, { attributes: string[]; childInfo: boolean }>();
    const attributesOf = (name: string) => existing.get(name)?.attributes ?? [...(subscribed?.has(name) ? ['\\Subscribed'] : []), '\\NonExistent'];
    if (input.subscribedOnly) {
      // RFC 5258 3.1: subscribed names, a deleted mailbox's too (\NonExistent); with
      // RECURSIVEMATCH also the matching parents of subscribed names the patterns
      // leave out, with CHILDINFO ("SUBSCRIBED") (3.5).
      for (const name of subscribed!) {
        if (matches(name)) {
          found.set(name, { attributes: attributesOf(name), childInfo: found.get(name)?.childInfo ?? false });
        } else if (input.recursiveMatch) {
          for (const parent of parentNames(name)) if (matches(parent)) found.set(parent, { attributes: found.get(parent)?.attributes ?? attributesOf(parent), childInfo: true });
        }
      }
    } else {
      for (const [name, { attributes }] of existing) if (matches(name)) found.set(name, { attributes, childInfo: false });
    }
    for (const name of [...found.keys()].sort()) {
      const { attributes, childInfo } = found.get(name)!;
      const mailbox = existing.get(name)?.mailbox;
      if (input.specialUseOnly && !(mailbox?.specialUse && mailbox.specialUse !== '\\Inbox')) continue;
      const wireName = str(mailboxToWire(name, session.utf8));
      session.untagged('LIST', attributes, str(DELIMITER), wireName, ...(childInfo ? [[str('CHILDINFO'), [str('SUBSCRIBED')]]] : []));
      if (input.status && mailbox) session.untagged('STATUS', wireName, await statusValues(session.store, mailbox, input.status));
    }
  },
});
