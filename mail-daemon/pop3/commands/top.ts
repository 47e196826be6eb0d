// TOP (RFC 1939 7): the header and the first n lines of the body; not a read.
import { messageNumber } from '../message-number.ts';
import { MessageStream } from '../message-stream.ts';
import { TRANSACTION, type Pop3Command } from './command.ts';

export const topCommand: Pop3Command = {
  name: 'TOP',
  states: TRANSACTION,
  minArgs: 2,
  maxArgs: 2,
  handle(session, [n, linesArg]) {
    const message = session.message(n);
    if (!message) return;
    const lines = messageNumber(linesArg);
    if (lines === null) return session.error('Line count must be a non-negative number');
    return session.withContent(message, (raw) => session.sendMessage('+OK Top of message follows', new MessageStream(raw, lines)));
  },
};
