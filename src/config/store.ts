/** Where a HOIDAP_DB value or --db path leads: the openers live in src/store/open.ts (the one place that picks adapters). */
export { isPostgresLocation, openStore } from '../store/open';
