/** A port this version cannot keep in PostgreSQL: what it is, and what to do instead. */
export class NotOnPostgresError extends Error {
  constructor(readonly port: string) {
    super(`${port} cannot be kept in PostgreSQL by this version of hoidap; use a SQLite file (HOIDAP_DB=path/to/hoidap.sqlite)`);
    this.name = 'NotOnPostgresError';
  }
}

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
