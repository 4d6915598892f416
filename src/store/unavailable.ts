/** pg_dump or pg_restore could not run at all (not installed, not on PATH). */
export class PgToolMissingError extends Error {
  constructor(readonly tool: string) {
    super(`${tool} was not found on PATH: install PostgreSQL's client tools (Debian: apt-get install postgresql-client) or use hoidap export for the ledger alone`);
    this.name = 'PgToolMissingError';
  }
}

/** hoidap migrate will not move this installation (a target holding data, a table it does not know): nothing was written. */
export class MigrationRefused extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MigrationRefused';
  }
}
