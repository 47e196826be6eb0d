// The arguments of a mailctl command: positional words and --options, each
// command saying which options take a value and which are switches.
export class UsageError extends Error {}

interface Parsed {
  positional: string[];
  options: Map<string, string | true>;
}

export interface OptionNames {
  /** Options followed by a value (--name value or --name=value). */
  values: Set<string>;
  /** Switches. */
  flags: Set<string>;
}

const ACCOUNT_OPTIONS: OptionNames = {
  values: new Set(['--name', '--quota', '--messages-per-hour', '--recipients-per-day']),
  flags: new Set(['--admin', '--signup-open', '--password-stdin', '--force']),
};

export function parseArgs(args: string[], known: OptionNames = ACCOUNT_OPTIONS): Parsed {
  const positional: string[] = [];
  const options = new Map<string, string | true>();
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    const [name, inline] = arg.startsWith('--') ? arg.split(/=(.*)/s, 2) : [arg, undefined];
    if (known.values.has(name)) {
      const value = inline ?? args[++i];
      if (value === undefined) throw new UsageError(`${name} needs a value`);
      options.set(name, value);
    } else if (known.flags.has(name)) {
      options.set(name, true);
    } else if (name === '--password') {
      throw new UsageError('a password on the command line shows in ps and in shell history: type it at the prompt, or pipe it in with --password-stdin');
    } else if (arg.startsWith('--')) {
      throw new UsageError(`unknown option ${arg}`);
    } else {
      positional.push(arg);
    }
  }
  return { positional, options };
}
