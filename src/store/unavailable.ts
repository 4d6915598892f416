/** A port this version cannot keep in PostgreSQL: what it is, and what to do instead. */
export class NotOnPostgresError extends Error {
  constructor(readonly port: string) {
    super(`${port} cannot be kept in PostgreSQL by this version of hoidap; use a SQLite file (HOIDAP_DB=path/to/hoidap.sqlite)`);
    this.name = 'NotOnPostgresError';
  }
}
