// NOTIFY (RFC 5465), authenticated or selected. For the selected mailbox
// (SELECTED, SELECTED-DELAYED) MessageNew, MessageExpunge and FlagChange: its
// EXISTS, EXPUNGE and FETCH FLAGS go out as they happen, not only in IDLE.
// For the others (PERSONAL, INBOXES, SUBSCRIBED, SUBTREE, MAILBOXES) those as
// STATUS, and MailboxName and SubscriptionChange as LIST (notify-settings.ts).
// The annotation and metadata events, which this server does not have, get
// NO [BADEVENT], and MessageNew's fetch attributes a NO; NOTIFY NONE turns it
// all off.
import { bad, no } from '../imap-error.ts';
import { readMailboxName } from '../mailbox-argument.ts';
import { NOTIFY_EVENTS, NotifySettings, type MailboxFilter, type NotifyEvent, type NotifyGroup } from '../notify-settings.ts';
import { ArgumentReader } from '../parser/argument-reader.ts';
import { ImapParseError, type Token } from '../parser/command-parser.ts';
import type { ImapSession } from '../imap-session.ts';
import { AUTHENTICATED, defineCommand } from './command.ts';

// RFC 5465 8: the events a client may name.
const ALL_EVENTS = [...NOTIFY_EVENTS, 'AnnotationChange', 'MailboxName', 'SubscriptionChange', 'MailboxMetadataChange', 'ServerMetadataChange'];

interface NotifyInput {
  settings: NotifySettings | null;
  status: boolean;
  unsupported: string[];
}

interface ParsedEvents {
  events: Set<NotifyEvent>;
  unsupported: string[];
  fetchAttributes: boolean;
}

/** events = ( "(" event *(SP event) ")" ) / "NONE"; MessageNew may carry a list of fetch attributes. */
function readEvents(args: ArgumentReader): ParsedEvents {
  const parsed: ParsedEvents = { events: new Set(), unsupported: [], fetchAttributes: false };
  if (args.optionalWord('NONE')) return parsed;
  const list = new ArgumentReader(args.list('events'), 'event');
  if (list.done) throw new ImapParseError('missing events');
  while (!list.done) {
    const word = list.atom('event');
    const name = ALL_EVENTS.find((e) => e.toLowerCase() === word.toLowerCase());
    if (!name) throw new ImapParseError(`unknown event ${word.slice(0, 30)}`);
    if (name === 'MessageNew' && list.peek()?.type === 'list') {
      list.list('fetch attributes');
      parsed.fetchAttributes = true;
    }
    if ((NOTIFY_EVENTS as readonly string[]).includes(name)) parsed.events.add(name as NotifyEvent);
    else parsed.unsupported.push(name);
  }
  return parsed;
}

/** SUBTREE and MAILBOXES take one mailbox name or a list of them. */
function readNames(args: ArgumentReader, session: ImapSession): string[] {
  const token = args.peek();
  const names = new ArgumentReader(token?.type === 'list' ? args.list('mailboxes') : [args.next('mailbox name')] as Token[], 'mailbox name');
  const out: string[] = [];
  while (!names.done) out.push(readMailboxName(names, session));
  if (out.length === 0) throw new ImapParseError('missing mailbox name');
  return out;
}

function parseSet(args: ArgumentReader, session: ImapSession): NotifyInput {
  const status = args.optionalWord('STATUS');
  let selected: NotifySettings['selected'] = null;
  let selectedSeen = false;
  const groups: NotifyGroup[] = [];
  const unsupported: string[] = [];
  if (args.done) throw new ImapParseError('missing event group');
  while (!args.done) {
    const group = new ArgumentReader(args.list('event group'), 'event group');
    const filter = group.atom('filter').toUpperCase();
    let mailboxes: MailboxFilter | null = null;
    if (filter === 'SUBTREE' || filter === 'MAILBOXES') mailboxes = { kind: filter, names: readNames(group, session) };
    else if (filter === 'PERSONAL' || filter === 'INBOXES' || filter === 'SUBSCRIBED') mailboxes = { kind: filter };
    else if (filter !== 'SELECTED' && filter !== 'SELECTED-DELAYED') throw new ImapParseError(`unknown filter ${filter.slice(0, 30)}`);
    const parsed = readEvents(group);
    group.end();
    unsupported.push(...parsed.unsupported);
    if (mailboxes === null) {
      if (selectedSeen) throw new ImapParseError('SELECTED given twice');
      selectedSeen = true;
      // RFC 5465 5.1, 5.2: MessageNew and MessageExpunge together, and FlagChange only with them.
      const [added, removed] = [parsed.events.has('MessageNew'), parsed.events.has('MessageExpunge')];
      if (added !== removed) throw new ImapParseError('MessageNew and MessageExpunge go together');
      if (parsed.events.has('FlagChange') && !added) throw new ImapParseError('FlagChange needs MessageNew and MessageExpunge');
      if (parsed.fetchAttributes) throw no(null, 'MessageNew with fetch attributes is not supported');
      if (parsed.events.size > 0) selected = { delayed: filter === 'SELECTED-DELAYED', events: parsed.events };
    } else {
      // RFC 5465 5.2: fetch attributes only for the selected mailbox.
      if (parsed.fetchAttributes) throw new ImapParseError('fetch attributes only for the selected mailbox');
      if (parsed.events.size > 0) groups.push({ filter: mailboxes, events: parsed.events });
    }
  }
  return { settings: new NotifySettings(selected, groups), status, unsupported };
}

export const notifyCommand = defineCommand({
  name: 'NOTIFY',
  states: AUTHENTICATED,
  parse(args, { session }): NotifyInput {
    const verb = args.atom('NONE or SET').toUpperCase();
    if (verb === 'NONE') {
      args.end();
      return { settings: null, status: false, unsupported: [] };
    }
    if (verb !== 'SET') throw new ImapParseError('NOTIFY takes NONE or SET');
    return parseSet(args, session);
  },
  async handle({ session }, { settings, status, unsupported }) {
    // RFC 5465 6: the events this server does not report; nothing changes.
    if (unsupported.length > 0) throw no(`BADEVENT (${[...new Set(unsupported)].join(' ')})`, 'Unsupported NOTIFY events');
    await settings?.learnMailboxes(session);
    session.notify = settings;
    if (status && settings) await settings.sendStatus(session, 'all');
  },
});
