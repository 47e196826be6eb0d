# Python's imaplib against our server: the flows a script or a simple client
# runs. Prints one JSON object with what it saw; tests/imap/clients.test.ts
# checks it. Usage: imaplib-client.py <port> <tls-port> <user> <password>
import imaplib
import json
import ssl
import sys

port, tls_port, user, password = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4]
out = {}

imap = imaplib.IMAP4('127.0.0.1', port)
out['capabilities'] = sorted(imap.capabilities)
imap.login(user, password)
typ, folders = imap.list()
out['list'] = [f.decode() for f in folders]
typ, data = imap.select('INBOX')
out['exists'] = int(data[0])
typ, data = imap.search(None, 'SUBJECT', '"second"')
out['search'] = data[0].decode()
typ, data = imap.fetch('1:2', '(UID FLAGS BODY.PEEK[HEADER.FIELDS (SUBJECT)])')
out['fetch'] = [part[1].decode().strip() for part in data if isinstance(part, tuple)]
typ, data = imap.fetch('2', '(RFC822)')
out['rfc822'] = data[0][1].decode()
typ, data = imap.store('1', '+FLAGS', '(\\Deleted)')
out['store'] = [d.decode() for d in data]
typ, data = imap.expunge()
out['expunge'] = [d.decode() for d in data]
typ, data = imap.append('Sent', '(\\Seen)', imaplib.Time2Internaldate(1790000000), b'Subject: from imaplib\r\n\r\nhello\r\n')
out['append'] = typ
typ, data = imap.uid('MOVE', '2', 'Archive')
out['move'] = typ
typ, data = imap.status('Archive', '(MESSAGES UIDNEXT)')
out['status'] = data[0].decode()
imap.logout()

context = ssl.create_default_context()
context.check_hostname = False
context.verify_mode = ssl.CERT_NONE
secure = imaplib.IMAP4_SSL('127.0.0.1', tls_port, ssl_context=context)
secure.login(user, password)
typ, data = secure.select('Sent', readonly=True)
out['sent'] = int(data[0])
secure.logout()

print(json.dumps(out))
