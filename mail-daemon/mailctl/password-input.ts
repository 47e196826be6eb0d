// Where mailctl gets a password: typed at a prompt that does not echo it, or
// read from standard input with --password-stdin (for scripts). Never from
// the command line, where it would show in `ps` and in shell history.
import { ValidationError } from '../errors/validation-error.ts';

/** The first line of standard input, for --password-stdin. */
async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8').split(/\r?\n/)[0];
}

/** Reads one line from the terminal in raw mode, echoing nothing. */
function promptHidden(question: string): Promise<string> {
  const input = process.stdin;
  // Echo off before the prompt shows, or a password typed (or sent) at once
  // would still be echoed by the terminal.
  input.setRawMode(true);
  input.resume();
  process.stderr.write(question);
  return new Promise((resolve, reject) => {
    let typed = '';
    const done = (error: Error | null) => {
      input.off('data', onData);
      input.setRawMode(false);
      input.pause();
      process.stderr.write('\n');
      if (error) reject(error);
      else resolve(typed);
    };
    const onData = (chunk: Buffer) => {
      for (const char of chunk.toString('utf8')) {
        if (char === '\r' || char === '\n') return done(null);
        if (char === '\u0003') return done(new ValidationError('password', 'cancelled'));
        if (char === '\u007f' || char === '\b') typed = typed.slice(0, -1);
        else if (char >= ' ') typed += char;
      }
    };
    input.on('data', onData);
  });
}

/** A password the user has already (another server's, for import --imap): from standard input, else typed once. */
export async function readPassword(fromStdin: boolean, question: string): Promise<string> {
  if (fromStdin) return readStdin();
  if (!process.stdin.isTTY) throw new ValidationError('password', 'type the password at the prompt (run mailctl in a terminal), or pipe it in with --password-stdin');
  return promptHidden(question);
}

/**
 * The new password for `user add` and `user passwd`: from standard input
 * with --password-stdin, else typed twice at a prompt.
 */
export async function readNewPassword(fromStdin: boolean): Promise<string> {
  const first = await readPassword(fromStdin, 'New password: ');
  if (fromStdin) return first;
  const again = await promptHidden('Again: ');
  if (first !== again) throw new ValidationError('password', 'the two passwords differ');
  return first;
}
