// Issue 11 §3: connection exhaustion. Each service (SMTP, IMAP, POP3, over all
// of its ports) takes MAX_CONNECTIONS_PER_ADDRESS connections from one client
// address and refuses the next with a reason; a client that does not log in
// is dropped after PRE_LOGIN_TIMEOUT; and one service full of connections
// leaves descriptors for the others, so port 25 still greets.
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { connect as connectTcp, type Server, type Socket } from 'node:net';
import { EventEmitter } from 'node:events';
import { ConnectionGate } from '../../mail-daemon/limits/connection-gate.ts';
import { connect as connectTls } from 'node:tls';
import { startTestDaemon, type TestDaemon } from '../support/daemon.ts';
import { createTestDatabase } from '../support/databases.ts';
import { startDaemonProcess } from '../support/daemon-process.ts';
import { smtpService } from '../../mail-daemon/smtp/smtp-service.ts';
import { imapService } from '../../mail-daemon/imap/imap-service.ts';
import { pop3Service } from '../../mail-daemon/pop3/pop3-service.ts';
import { addTestAccounts } from '../support/accounts.ts';
import { buildMessage } from '../support/messages.ts';
import { sendWithNodemailer } from '../support/smtp-client.ts';

interface Greeted {
  /** The first line the server sent, or null when it closed without one. */
  line: string | null;
  socket: Socket;
}

/** Connects and reads the server's first line. */
function greeting(port: number, options: { tls?: boolean } = {}): Promise<Greeted> {
  return new Promise((resolve) => {
    const socket: Socket = options.tls ? connectTls({ host: '127.0.0.1', port, rejectUnauthorized: false }) : connectTcp({ host: '127.0.0.1', port });
    let text = '';
    const done = (line: string | null) => {
      socket.removeAllListeners('data');
      resolve({ line, socket });
    };
    socket.on('data', (chunk) => {
      text += chunk.toString('latin1');
      const end = text.indexOf('\r\n');
      if (end !== -1) done(text.slice(0, end));
    });
    socket.on('error', () => undefined);
    socket.on('close', () => done(null));
  });
}

const closeAll = (greeted: Greeted[]) => greeted.forEach((g) => g.socket.destroy());

describe('connections per client address', () => {
  const daemons: TestDaemon[] = [];
  after(async () => {
    for (const daemon of daemons) await daemon.dispose();
  });

  it('IMAP greets 20 connections from one address over 143 and 993 together, and refuses the 21st with * BYE', async () => {
    const daemon = await startTestDaemon('sqlite', [imapService]);
    daemons.push(daemon);
    const open: Greeted[] = [];
    for (let i = 0; i < 20; i++) open.push(await greeting(daemon.port(i % 2 ? 'imaps' : 'imap'), { tls: i % 2 === 1 }));
    assert.deepEqual(open.filter((g) => !g.line?.startsWith('* OK ')), []);
    const plain = await greeting(daemon.port('imap'));
    assert.equal(plain.line, '* BYE Too many connections from your address, try again later');
    const tls = await greeting(daemon.port('imaps'), { tls: true });
    assert.equal(tls.line, '* BYE Too many connections from your address, try again later');
    open.pop()!.socket.destroy();
    // The slot is free once the server has seen the close.
    for (let i = 0; ; i++) {
      const again = await greeting(daemon.port('imap'));
      again.socket.destroy();
      if (again.line?.startsWith('* OK ')) break;
      assert.ok(i < 100, 'a slot frees when a connection closes');
    }
    closeAll(open);
  });

  it('MAX_CONNECTIONS_PER_ADDRESS sets the limit of SMTP (all three ports) and POP3 alike', async () => {
    const daemon = await startTestDaemon('sqlite', [smtpService, pop3Service], { MAX_CONNECTIONS_PER_ADDRESS: '3' });
    daemons.push(daemon);
    const smtp = [await greeting(daemon.port('smtp')), await greeting(daemon.port('submission')), await greeting(daemon.port('submissions'), { tls: true })];
    assert.deepEqual(smtp.map((g) => g.line?.slice(0, 4)), ['220 ', '220 ', '220 ']);
    assert.equal((await greeting(daemon.port('smtp'))).line, '421 4.7.0 Too many connections from your address, try again later');
    const pop3 = [await greeting(daemon.port('pop3')), await greeting(daemon.port('pop3s'), { tls: true }), await greeting(daemon.port('pop3'))];
    assert.deepEqual(pop3.map((g) => g.line?.slice(0, 4)), ['+OK ', '+OK ', '+OK ']);
    assert.equal((await greeting(daemon.port('pop3s'), { tls: true })).line, '-ERR [SYS/TEMP] Too many connections from your address, try again later');
    closeAll([...smtp, ...pop3]);
  });

  it('frees the slot of a session that went through STARTTLS', async () => {
    const daemon = await startTestDaemon('sqlite', [smtpService], { MAX_CONNECTIONS_PER_ADDRESS: '2', DNS_SERVERS: '127.0.0.1:9' });
    daemons.push(daemon);
    await addTestAccounts(daemon.context.store, 'example.test', ['alice']);
    for (let i = 0; i < 5; i++) {
      // nodemailer upgrades with STARTTLS where it is offered, and closes after QUIT.
      const sent = await sendWithNodemailer({ port: daemon.port('smtp'), requireTLS: true }, { from: 'sender@remote.test', to: ['alice@example.test'] }, buildMessage({ subject: `tls ${i}` }));
      assert.deepEqual(sent.accepted, ['alice@example.test']);
    }
  });

  it('drops a client that does not log in within PRE_LOGIN_TIMEOUT (IMAP, POP3, submission)', async () => {
    const daemon = await startTestDaemon('sqlite', [smtpService, pop3Service, imapService], { PRE_LOGIN_TIMEOUT: '1s' });
    daemons.push(daemon);
    const idle = await Promise.all([greeting(daemon.port('imap')), greeting(daemon.port('pop3')), greeting(daemon.port('submission'))]);
    // What each server says before it closes; far longer than the timeout, a client is still connected.
    const last = (g: Greeted) =>
      new Promise<string>((resolve) => {
        let text = '';
        const stillOpen = setTimeout(() => resolve('<still connected after 20 s>'), 20_000);
        g.socket.on('data', (chunk) => (text += chunk.toString('latin1')));
        g.socket.on('close', () => {
          clearTimeout(stillOpen);
          resolve(text.trimEnd());
        });
      });
    const [imap, pop3, submission] = await Promise.all(idle.map(last));
    idle.forEach((g) => g.socket.destroy());
    assert.equal(imap, '* BYE Autologout; idle for too long');
    assert.equal(pop3, '-ERR Autologout; idle for too long');
    assert.match(submission, /^421 .*[Tt]imeout/);
  });
});

describe('one service full of connections', () => {
  it('leaves descriptors for the others: with 256 open files, IMAP takes a fifth and refuses the rest, and port 25 still greets', async (t) => {
    const database = await createTestDatabase('sqlite');
    const daemon = await startDaemonProcess(database.url, { services: ['smtp', 'imap'], openFiles: 256, env: { MAX_CONNECTIONS_PER_ADDRESS: '100000' } });
    const open: Greeted[] = [];
    t.after(async () => {
      closeAll(open);
      await daemon.stop();
      await database.drop();
    });
    for (let i = 0; i < 300; i++) open.push(await greeting(daemon.port('imap')));
    const greeted = open.filter((g) => g.line?.startsWith('* OK ')).length;
    assert.equal(greeted, Math.floor(256 / 5));
    // Refused with a reason, or (past the few refusals in flight) closed at once.
    const refusals = new Set(open.filter((g) => !g.line?.startsWith('* OK ')).map((g) => g.line ?? '<closed>'));
    assert.ok(refusals.has('* BYE [UNAVAILABLE] Too many connections to this server, try again later'), [...refusals].join(', '));
    assert.deepEqual([...refusals].filter((line) => line !== '<closed>' && !line.startsWith('* BYE [UNAVAILABLE]')), []);
    const smtp = await greeting(daemon.port('smtp'));
    assert.match(smtp.line ?? '<closed>', /^220 mx2\.example\.test ESMTP/);
    smtp.socket.destroy();
  });
});

describe('the gate counts each connection by all four of its ends', () => {
  /** A socket as the listener hands it over: its ends, and close. */
  const socketFrom = (remoteAddress: string, remotePort: number, localAddress: string, localPort: number) =>
    Object.assign(new EventEmitter(), { remoteAddress, remotePort, localAddress, localPort, destroy: () => undefined });

  it('gives every slot back, also for two clients of one /64 on the same port and one client reaching two of our addresses', () => {
    const gate = new ConnectionGate({ perAddress: 20, perService: 1000 }, 'smtp');
    const listener = new EventEmitter();
    gate.watch(listener as unknown as Server);
    const sockets = [
      socketFrom('2001:db8::1', 40000, '2001:db8:1::25', 25),
      socketFrom('2001:db8::2', 40000, '2001:db8:1::25', 25),
      socketFrom('192.0.2.7', 40001, '198.51.100.1', 25),
      socketFrom('::ffff:192.0.2.7', 40001, '::ffff:198.51.100.2', 25),
    ];
    for (const socket of sockets) listener.emit('connection', socket);
    assert.equal(gate.open, 4);
    // smtp-server's session gives the same ends in its own forms (IPv6 written out, IPv4 unmapped).
    assert.equal(gate.refusalOf({ remoteAddress: '2001:0db8:0000:0000:0000:0000:0000:0002', remotePort: 40000, localAddress: '2001:db8:1:0:0:0:0:25', localPort: 25 }), null);
    for (const socket of sockets) socket.emit('close');
    assert.equal(gate.open, 0, 'every slot given back');
    // The /64 and the IPv4 address hold no count: 20 more from each are admitted.
    for (let i = 0; i < 20; i++) listener.emit('connection', socketFrom(`2001:db8::${i + 10}`, 41000 + i, '2001:db8:1::25', 25));
    for (let i = 0; i < 20; i++) listener.emit('connection', socketFrom('192.0.2.7', 42000 + i, '198.51.100.1', 25));
    assert.equal(gate.open, 40);
    assert.equal(gate.refusalOf({ remoteAddress: '2001:db8::29', remotePort: 41019, localAddress: '2001:db8:1::25', localPort: 25 }), null);
  });
});
