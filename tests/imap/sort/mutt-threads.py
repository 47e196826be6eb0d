# Drives mutt in a pseudo-terminal, as a user would run it, without a human:
# mutt opens the IMAPS folder of the given muttrc with sort=threads, tags every
# message and pipes each, in index order, to a script that records its
# Message-ID, then quits. Prints the recorded ids (one a line), a line
# "--- commands", and the IMAP commands mutt sent (from its debug log). Usage:
#   mutt-threads.py <muttrc> <work-dir>
import os
import pty
import re
import select
import subprocess
import sys
import time

muttrc, work = sys.argv[1], sys.argv[2]
ids_file = os.path.join(work, 'ids.txt')
record = os.path.join(work, 'record.sh')
with open(record, 'w') as f:
    f.write(f"#!/bin/sh\ngrep -i -m1 '^message-id:' >> {ids_file}\n")
os.chmod(record, 0o755)

keys = f'<tag-pattern>~A<enter><tag-prefix><pipe-message>{record}<enter><quit>'
env = dict(os.environ, HOME=work, TERM='xterm', COLUMNS='160', LINES='48')
pid, fd = pty.fork()
if pid == 0:
    os.execvpe('mutt', ['mutt', '-n', '-d', '2', '-F', muttrc, '-e', f'push "{keys}"'], env)

screen = b''
deadline = time.time() + 60
while time.time() < deadline:
    ready, _, _ = select.select([fd], [], [], 0.5)
    if ready:
        try:
            chunk = os.read(fd, 65536)
        except OSError:
            break
        if not chunk:
            break
        screen += chunk
    done, status = os.waitpid(pid, os.WNOHANG)
    if done:
        break
else:
    os.kill(pid, 9)
    sys.stderr.write('mutt did not finish; screen:\n' + screen.decode('utf-8', 'replace')[-3000:])
    sys.exit(1)

ids = open(ids_file).read().split('\n') if os.path.exists(ids_file) else []
print('\n'.join(line.split(':', 1)[1].strip() for line in ids if line.strip()))
print('--- commands')
log = os.path.join(work, '.muttdebug0')
if os.path.exists(log):
    for line in open(log, encoding='utf-8', errors='replace'):
        # "[2026-11-30 15:47:16] 4> a0004 SELECT "INBOX"": what mutt wrote to the server.
        sent = re.match(r'^\[[^]]*\] \d+> (.*)$', line)
        if sent:
            print(sent.group(1).rstrip())
