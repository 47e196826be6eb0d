// The outbound queue's SMTP as its peers see it: Postfix's smtp-sink prints
// every command it gets (-v), so several messages in one session with RSET
// between them (RFC 5321 4.1.1.5) are read from a server nobody here wrote;
// a raw server that records what arrives in each read shows the envelope
// pipelined (RFC 2920: RSET, MAIL, RCPT and DATA in one write), and that a
// server without PIPELINING is sent one command at a time.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { ENGINES } from '../support/databases.ts';
import { startSmtpSink } from '../support/smtp-sink.ts';
import { loopbackSubnet, queueMessage, queueFixtures, waitFor } from './queue-fixture.ts';

// .ci/run installs postfix (smtp-sink), and CI runs as root, which smtp-sink -u needs.
const sinkMissing = !existsSync('/usr/sbin/smtp-sink')
  ? 'smtp-sink is not installed (apt-get install -y postfix)'
  : process.getuid?.() !== 0
    ? 'smtp-sink must start as root to drop to nobody'
    : false;

/** A server that answers SMTP line by line and keeps each read as it arrived. */
async function recordingServer(host: string, port: number, pipelining: boolean, rsetReply = '250 2.0.0 ok'): Promise<{ reads: string[]; sessions: number; server: Server }> {
  const reads: string[] = [];
  const state = { reads, sessions: 0, server: null as unknown as Server };
  const server = createServer((socket: Socket) => {
    state.sessions++;
    socket.setEncoding('latin1');
    let inData = false;
    let pending = '';
    socket.write('220 recorder ESMTP\r\n');
    socket.on('data', (chunk: string) => {
      reads.push(chunk);
      pending += chunk;
      for (;;) {
        if (inData) {
          const end = pending.indexOf('\r\n.\r\n');
          if (end === -1) return;
          pending = pending.slice(end + 5);
          inData = false;
          socket.write('250 2.0.0 queued\r\n');
          continue;
        }
        const end = pending.indexOf('\r\n');
        if (end === -1) return;
        const command = pending.slice(0, end).toUpperCase();
        pending = pending.slice(end + 2);
        if (command.startsWith('EHLO')) socket.write(`250-recorder\r\n${pipelining ? '250-PIPELINING\r\n' : ''}250-SIZE 10240000\r\n250 8BITMIME\r\n`);
        else if (command === 'DATA') {
          inData = true;
          socket.write('354 go on\r\n');
        } else if (command === 'QUIT') socket.end('221 bye\r\n');
        else if (command === 'RSET' && rsetReply.startsWith('421')) return void socket.end(`${rsetReply}\r\n`);
        else socket.write('250 2.0.0 ok\r\n');
      }
    });
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(port, host, resolve));
  state.server = server;
  return state;
}

for (const engine of ENGINES) {
  describe(`outbound SMTP transcripts on ${engine}`, () => {
    const start = queueFixtures();
    const zone = (net: string) => ({
      'remote.test': { MX: [{ priority: 10, exchange: 'mx.remote.test' }] },
      'mx.remote.test': { A: [`${net}.2`] },
    });

    it('sends three messages in one session to smtp-sink, with RSET between them', { skip: sinkMissing }, async () => {
      const net = loopbackSubnet();
      // One delivery at a time to the domain, so each message finds the last one's session idle.
      const fixture = await start(engine, zone(net), { queue: { perDomain: 1 } });
      const sink = (await startSmtpSink(`${net}.2`, fixture.port, { verbose: true }))!;
      try {
        for (const subject of ['first', 'second', 'third']) await queueMessage(fixture.store, { to: ['bob@remote.test'], subject });
        await waitFor('three messages at the sink', () => sink.transcript().filter((line) => line === '.').length === 3);
        // smtp-sink -v prints the commands as sent, a line each, and "connect" (the first is waitForPort's probe).
        const lines = sink.transcript().flatMap((line) => (/^(connect|disconnect|EHLO|HELO|MAIL|RCPT|DATA|RSET|QUIT|\.$)/i.test(line) ? [line.replace(/^connect .*/, 'connect')] : []));
        const session = lines.slice(lines.findIndex((line) => line.startsWith('EHLO')) - 1);
        const transaction = ['MAIL FROM:<alice@example.test>', 'RCPT TO:<bob@remote.test>', 'DATA', '.'];
        assert.deepEqual(session.slice(0, 16), ['connect', 'EHLO mail.example.test', ...transaction, 'RSET', ...transaction, 'RSET', ...transaction]);
      } finally {
        sink.stop();
      }
    });

    it('pipelines RSET, MAIL, RCPT and DATA in one write when the server offers PIPELINING', async () => {
      const net = loopbackSubnet();
      const fixture = await start(engine, zone(net), { queue: { perDomain: 1 } });
      const { reads, server } = await recordingServer(`${net}.2`, fixture.port, true);
      try {
        await queueMessage(fixture.store, { to: ['bob@remote.test', 'carol@remote.test'], subject: 'first' });
        await waitFor('the first message', () => reads.some((r) => r.endsWith('\r\n.\r\n')));
        await queueMessage(fixture.store, { to: ['bob@remote.test'], subject: 'second' });
        await waitFor('the second message', () => reads.filter((r) => r.endsWith('\r\n.\r\n')).length === 2);
        const envelopes = reads.filter((r) => r.includes('MAIL FROM:'));
        assert.equal(envelopes.length, 2);
        assert.match(envelopes[0], /^MAIL FROM:<alice@example\.test> SIZE=\d+\r\nRCPT TO:<bob@remote\.test>\r\nRCPT TO:<carol@remote\.test>\r\nDATA\r\n$/);
        assert.match(envelopes[1], /^RSET\r\nMAIL FROM:<alice@example\.test> SIZE=\d+\r\nRCPT TO:<bob@remote\.test>\r\nDATA\r\n$/);
      } finally {
        server.close();
      }
    });

    it('replaces a kept session that the server ends at RSET (421) with a new one, and delivers the message once', async () => {
      const net = loopbackSubnet();
      const fixture = await start(engine, zone(net), { queue: { perDomain: 1 } });
      const recorder = await recordingServer(`${net}.2`, fixture.port, true, '421 4.4.2 idle too long');
      try {
        await queueMessage(fixture.store, { to: ['bob@remote.test'], subject: 'first' });
        await waitFor('the first message', () => recorder.reads.some((r) => r.endsWith('\r\n.\r\n')));
        const { id } = await queueMessage(fixture.store, { to: ['bob@remote.test'], subject: 'second' });
        await waitFor('the second message', () => recorder.reads.filter((r) => r.endsWith('\r\n.\r\n')).length === 2);
        const prisma = fixture.store.database.prisma;
        await waitFor('the entry to leave the queue', async () => (await prisma.queueMessage.count({ where: { id } })) === 0);
        assert.equal(recorder.sessions, 2, 'a second connection after the 421');
        const log = await prisma.deliveryLog.findMany({ where: { queueId: id } });
        assert.deepEqual(log.map((l) => l.status), ['delivered'], 'delivered at the first attempt, not deferred');
      } finally {
        recorder.server.close();
      }
    });

    it('sends one command at a time to a server without PIPELINING', async () => {
      const net = loopbackSubnet();
      const fixture = await start(engine, zone(net));
      const { reads, server } = await recordingServer(`${net}.2`, fixture.port, false);
      try {
        await queueMessage(fixture.store, { to: ['bob@remote.test', 'carol@remote.test'] });
        await waitFor('the message', () => reads.some((r) => r.endsWith('\r\n.\r\n')));
        const commands = reads.filter((r) => /^(MAIL|RCPT|DATA)/.test(r));
        assert.deepEqual(commands.map((r) => r.replace(/SIZE=\d+/, 'SIZE=')), [
          'MAIL FROM:<alice@example.test> SIZE=\r\n',
          'RCPT TO:<bob@remote.test>\r\n',
          'RCPT TO:<carol@remote.test>\r\n',
          'DATA\r\n',
        ]);
      } finally {
        server.close();
      }
    });
  });
}
