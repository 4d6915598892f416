import type { Role } from '../../domain/access';
import type { LinkTexts } from './link-texts';
import type { LogPort, ProvinceFacts, StaffAccount } from '../use-case-ports';

/** The account operations the account use cases need (a structural subset of src/backoffice/types.ts BackofficeStore). */
export interface AccountsPort {
  createAccount(input: { name: string; role: Role; agency?: string; email?: string }, now: number): Promise<StaffAccount>;
  getAccount(id: string): Promise<StaffAccount | undefined>;
  setAccountActive(id: string, active: boolean): Promise<void>;
  setAccountEmail(id: string, email: string | undefined): Promise<void>;
  issueApiToken(accountId: string, now: number): Promise<string>;
  createLinkCode(accountId: string, now: number, ttlMs: number): Promise<string>;
  revokeApiTokens(accountId: string, now: number): Promise<number>;
  unlinkIdentities(accountId: string, identity?: { channel: string; userId: string }): Promise<number>;
  dropLinkCodes(accountId: string): Promise<void>;
}

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
