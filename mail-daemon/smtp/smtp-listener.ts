// smtp-server's SMTPServer, with the 220 greeting sent as soon as a
// connection is accepted. smtp-server holds every new connection for a fixed
// 100 ms first, to catch clients that talk before the greeting; that idle
// wait was most of the ~125 ms each message took when a client opens one
// connection per message (issue 12). Postfix's smtpd greets at once too: its
// pre-greeting test lives in postscreen, off by default.
import type { Socket } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { SMTPConnection } from 'smtp-server/lib/smtp-connection.js';

class PromptConnection extends SMTPConnection {
  // smtp-server's init() also enforces options.maxClients, which we do not
  // set: connectionLimiter (hooks/on-connect.ts) limits per client instead.
  override init(): void {
    this._setListeners(() => this.connectionReady());
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
