# Python's imaplib sending MULTIAPPEND (RFC 3502) through its own literal
# machinery: a callable `literal` is asked for the next piece at each "+",
# so each message goes out as a synchronizing literal with the next one's
# flags and size on the same line. Prints one JSON object with what it saw;
# tests/imap/commands/append.test.ts checks it.
# Usage: imaplib-multiappend.py <port> <user> <password>
import imaplib
import json
import sys

port, user, password = int(sys.argv[1]), sys.argv[2], sys.argv[3]
out = {}


class Pieces:
    def __init__(self, pieces):
        self.pieces = iter(pieces)

    def next(self, continuation):
        return next(self.pieces)


def multiappend(imap, mailbox, first_flags, messages, between):
    """APPEND mailbox first_flags {n} with the messages; between[i] goes after message i."""
    # imaplib calls `literal` at each "+" only when it is a bound method (as for AUTHENTICATE).
    imap.literal = Pieces([message + between[i] for i, message in enumerate(messages)]).next
    args = [mailbox] + ([first_flags] if first_flags else []) + ['{%d}' % len(messages[0])]
    typ, data = imap._simple_command('APPEND', *args)
    return [typ, data[0].decode()]


imap = imaplib.IMAP4('127.0.0.1', port)
out['capabilities'] = sorted(imap.capabilities)
imap.login(user, password)
imap.create('Imaplib')
messages = [b'Subject: py one\r\n\r\none\r\n', b'Subject: py two\r\n\r\ntwo\r\n', b'Subject: py three\r\n\r\nthree\r\n']
out['append'] = multiappend(imap, 'Imaplib', '(\\Flagged)', messages, [b' (\\Seen) {%d}' % len(messages[1]), b' {%d}' % len(messages[2]), b''])
# A zero-length message cancels the whole APPEND (RFC 3502 6.3.11).
out['cancelled'] = multiappend(imap, 'Imaplib', None, [messages[0], b''], [b' {0}', b''])
typ, data = imap.select('Imaplib')
out['exists'] = int(data[0])
typ, data = imap.fetch('1:*', '(FLAGS BODY.PEEK[HEADER.FIELDS (SUBJECT)])')
out['fetch'] = [[part[0].decode(), part[1].decode().strip()] for part in data if isinstance(part, tuple)]
imap.logout()
print(json.dumps(out))
