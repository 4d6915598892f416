import type { BackofficeStore } from '../ports';
import type { LinkTexts } from './link-texts';
import type { LogPort, ProvinceFacts } from '../use-case-ports';

/** The account operations the account use cases need: a part of the back-office store's port. */
export type AccountsPort = Pick<
  BackofficeStore,
  'createAccount' | 'getAccount' | 'setAccountActive' | 'setAccountEmail' | 'issueApiToken' | 'createLinkCode' | 'revokeApiTokens' | 'unlinkIdentities' | 'dropLinkCodes'
>;

export interface AccountDeps {
  facts: ProvinceFacts;
  /** The wording about link codes (data/texts). */
  link: LinkTexts;
  accounts: AccountsPort;
  now: () => number;
  log: LogPort;
}

/** Who did an account action, for the log: an account id, or `cli` (someone with the database file). */
export type AccountActionBy = string;
