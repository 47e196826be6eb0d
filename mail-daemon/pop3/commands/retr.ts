// RETR (RFC 1939 5): the whole message, dot-stuffed; it counts as read
// (\Seen) once the session ends, whether by QUIT or a dropped connection.
import { MessageStream } from '../message-stream.ts';
import { TRANSACTION, type Pop3Command } from './command.ts';

export const retrCommand: Pop3Command = {
  name: 'RETR',
  states: TRANSACTION,
  minArgs: 1,
  maxArgs: 1,
  handle(session, [n]) {
    const message = session.message(n);
    if (!message) return;
    return session.withContent(message, (raw) =>
      session.sendMessage(`+OK ${message.size} octets`, new MessageStream(raw), () => {
        if (!session.closed) session.retrieved.add(message.uid);
      }),
    );
  },
};
