# Python's imaplib with COMPRESS=DEFLATE (RFC 4978): imaplib has no COMPRESS,
# so a subclass sends it and then deflates what it sends (a sync flush after
# each command) and inflates what it reads, with Python's zlib, over the plain
# port and over TLS. Prints one JSON object with what it saw;
# tests/imap/commands/compress.test.ts checks it.
# Usage: imaplib-compress.py <port> <tls-port> <user> <password>
import imaplib
import json
import ssl
import sys
import zlib

port, tls_port, user, password = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4]
imaplib.Commands['COMPRESS'] = ('AUTH', 'SELECTED')


class Deflating:
    """Mixed into IMAP4 or IMAP4_SSL: after compress(), raw deflate both ways."""

    deflater = None

    def compress(self):
        typ, data = self._simple_command('COMPRESS', 'DEFLATE')
        if typ == 'OK':
            self.deflater = zlib.compressobj(6, zlib.DEFLATED, -15)
            self.inflater = zlib.decompressobj(-15)
            self.inflated = b''
        return [typ, data[0].decode()]

    def send(self, data):
        if self.deflater:
            data = self.deflater.compress(data) + self.deflater.flush(zlib.Z_SYNC_FLUSH)
        super().send(data)

    def fill(self):
        chunk = self.sock.recv(65536)
        if not chunk:
            raise imaplib.IMAP4.abort('socket closed')
        self.inflated += self.inflater.decompress(chunk)

    def read(self, size):
        if not self.deflater:
            return super().read(size)
        while len(self.inflated) < size:
            self.fill()
        data, self.inflated = self.inflated[:size], self.inflated[size:]
        return data

    def readline(self):
        if not self.deflater:
            return super().readline()
        while b'\n' not in self.inflated:
            self.fill()
        end = self.inflated.index(b'\n') + 1
        line, self.inflated = self.inflated[:end], self.inflated[end:]
        return line


class DeflatingIMAP4(Deflating, imaplib.IMAP4):
    pass


class DeflatingIMAP4_SSL(Deflating, imaplib.IMAP4_SSL):
    pass


def session(imap):
    out = {}
    imap.login(user, password)
    out['compress'] = imap.compress()
    out['again'] = imap.compress()
    imap.select('INBOX')
    typ, data = imap.search(None, 'SUBJECT', '"for python"')
    number = data[0].split()[-1]
    typ, data = imap.fetch(number, '(BODY.PEEK[HEADER.FIELDS (SUBJECT)] BODY.PEEK[TEXT])')
    out['subject'] = data[0][1].decode()
    out['body'] = data[1][1].decode()
    typ, data = imap.append('Drafts', None, None, b'Subject: deflated draft\r\n\r\n' + b'x' * 100000 + b'\r\n')
    out['append'] = data[0].decode()
    typ, data = imap.logout()
    out['logout'] = typ
    return out


context = ssl.create_default_context()
context.check_hostname = False
context.verify_mode = ssl.CERT_NONE
print(json.dumps({
    'plain': session(DeflatingIMAP4('127.0.0.1', port)),
    'tls': session(DeflatingIMAP4_SSL('127.0.0.1', tls_port, ssl_context=context)),
}))
