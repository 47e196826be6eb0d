// Limits simultaneous connections per client IP, so one host cannot take all
// of the server's connection slots.
import type { SMTPServerSession } from 'smtp-server';
import { smtpError } from '../smtp-error.ts';

export function connectionLimiter(maxPerIp: number) {
  const open = new Map<string, number>();
  return {
    onConnect(session: SMTPServerSession, callback: (err?: Error | null) => void) {
      const count = open.get(session.remoteAddress) ?? 0;
      if (count >= maxPerIp) return callback(smtpError(421, '4.7.0', 'Too many connections from your address, try again later'));
      open.set(session.remoteAddress, count + 1);
      callback();
    },
    onClose(session: SMTPServerSession) {
      const count = (open.get(session.remoteAddress) ?? 1) - 1;
      if (count <= 0) open.delete(session.remoteAddress);
      else open.set(session.remoteAddress, count);
    },
  };
}
