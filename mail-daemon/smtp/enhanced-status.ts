// smtp-server puts its own enhanced status code before every reply, guessed
// from the basic code alone (550 always becomes 5.1.1). Our hooks know better
// (5.7.1 relaying denied vs 5.1.1 unknown user), and write the code at the
// start of the text; this makes smtp-server leave such replies as they are.
import { SMTPConnection } from 'smtp-server/lib/smtp-connection.js';

const ENHANCED_PREFIX = /^[245]\.\d{1,3}\.\d{1,3} /;
let installed = false;

export function keepOwnEnhancedCodes(): void {
  if (installed) return;
  installed = true;
  const send = SMTPConnection.prototype.send;
  SMTPConnection.prototype.send = function (this: unknown, code: number, data: unknown, context?: unknown) {
    if (typeof data === 'string' && ENHANCED_PREFIX.test(data)) return send.call(this, code, data, false);
    return send.call(this, code, data as string, context as string);
  };
}
