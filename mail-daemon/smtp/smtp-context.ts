// What the SMTP hooks and pipelines share.
import type { Config } from '../config/config.ts';
import type { MailStore } from '../store/context.ts';
import type { MailResolver } from '../dns/resolver.ts';
import type { IncomingMessageBudget } from '../limits/incoming-message-budget.ts';

export interface SmtpContext {
  config: Config;
  store: MailStore;
  resolver: MailResolver;
  log: (message: string) => void;
  incoming: IncomingMessageBudget;
}
