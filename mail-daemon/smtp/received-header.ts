// The Received: trace field (RFC 5321 4.4) with the protocol names of
// RFC 3848 (ESMTP, ESMTPS with TLS, ESMTPA after AUTH, ESMTPSA with both).
import type { SMTPServerSession } from 'smtp-server';

export function receivedHeader(session: SMTPServerSession, hostname: string, id: string, recipient: string | null): string {
  const protocol = `${session.transmissionType === 'LMTP' ? 'LMTP' : 'ESMTP'}${session.secure ? 'S' : ''}${session.user ? 'A' : ''}`;
  const helo = (session.hostNameAppearsAs || 'unknown').replace(/[^\x21-\x7e]/g, '');
  const client = session.clientHostname && !session.clientHostname.startsWith('[') ? `${session.clientHostname} ` : '';
  const ip = session.remoteAddress.replace(/^::ffff:/, '');
  const forClause = recipient ? `\r\n\tfor <${recipient}>` : '';
  return `Received: from ${helo} (${client}[${ip}])\r\n\tby ${hostname} with ${protocol} id ${id}${forClause};\r\n\t${new Date().toUTCString().replace('GMT', '+0000')}`;
}
