// smtp-server's SMTPServer, with the 220 greeting sent as soon as a
// connection is accepted. smtp-server holds every new connection for a fixed
// 100 ms first, to catch clients that talk before the greeting; that idle
// wait was most of the ~125 ms each message took when a client opens one
// connection per message (issue 12). Postfix's smtpd greets at once too: its
// pre-greeting test lives in postscreen, off by default.
// On submission, a client that has not logged in gets a shorter idle timeout
// (PRE_LOGIN_TIMEOUT), as IMAP and POP3 do; the MX keeps RFC 5321
// 4.5.3.2.7's five minutes for every command.
import type { Socket } from 'node:net';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';
import { SMTPConnection } from 'smtp-server/lib/smtp-connection.js';

export interface SmtpListenerOptions extends SMTPServerOptions {
  /** Milliseconds a client may stay silent until AUTH succeeds; absent: socketTimeout throughout. */
  preLoginTimeout?: number;
}

class PromptConnection extends SMTPConnection {
  private preLoginTimerArmed = false;

  // smtp-server's init() also enforces options.maxClients, which we do not
  // set: the ConnectionGate (connection-gate.ts) limits connections instead.
  override init(): void {
    this._setListeners(() => this.connectionReady());
  }

  override _armTimeout(socket: Socket = this._socket): void {
    const { preLoginTimeout, socketTimeout } = this._server.options as SmtpListenerOptions;
    this.preLoginTimerArmed = preLoginTimeout !== undefined && !this.session?.user;
    socket.setTimeout(this.preLoginTimerArmed ? preLoginTimeout! : socketTimeout!, () => this._onTimeout());
  }

  override _onTimeout(): void {
    // Logged in since the short timer was armed: the full one runs from now on.
    if (this.preLoginTimerArmed && this.session.user) return this._armTimeout();
    super._onTimeout();
  }
}

export class SmtpListener extends SMTPServer {
  // The body of smtp-server's connect(), with our connection class.
  override connect(socket: Socket, socketOptions?: ConstructorParameters<typeof SMTPConnection>[2]): void {
    const connection = new PromptConnection(this, socket, socketOptions);
    this.connections.add(connection);
    connection.on('error', (error: Error) => this._onError(error));
    connection.on('connect', (data) => this._onClientConnect(data));
    connection.init();
  }
}
