# Python's imaplib SORT and THREAD (IMAP4.sort, IMAP4.thread, and the UID
# forms through IMAP4.uid) over TLS. Prints one JSON object; checked by
# tests/imap/sort/sort-clients.test.ts. Usage: imaplib-sort.py <tls-port> <user> <password>
import imaplib
import json
import ssl
import sys

tls_port, user, password = int(sys.argv[1]), sys.argv[2], sys.argv[3]
context = ssl.create_default_context()
context.check_hostname = False
context.verify_mode = ssl.CERT_NONE
imap = imaplib.IMAP4_SSL('127.0.0.1', tls_port, ssl_context=context)
imap.login(user, password)
out = {'capabilities': sorted(imap.capabilities)}
imap.select('INBOX')
out['sort_date'] = imap.sort('(REVERSE DATE)', 'UTF-8', 'ALL')[1][0].decode()
out['sort_subject'] = imap.sort('(SUBJECT)', 'US-ASCII', 'NOT', 'SUBJECT', '"other"')[1][0].decode()
out['uid_sort'] = imap.uid('SORT', '(DATE)', 'UTF-8', 'ALL')[1][0].decode()
out['thread_references'] = imap.thread('REFERENCES', 'UTF-8', 'ALL')[1][0].decode()
out['thread_orderedsubject'] = imap.thread('ORDEREDSUBJECT', 'UTF-8', 'ALL')[1][0].decode()
out['uid_thread'] = imap.uid('THREAD', 'REFERENCES', 'UTF-8', 'ALL')[1][0].decode()
try:
    imap.sort('(NONSENSE)', 'UTF-8', 'ALL')
    out['bad_sort'] = 'accepted'
except imaplib.IMAP4.error as error:
    out['bad_sort'] = str(error)
imap.logout()
print(json.dumps(out))
