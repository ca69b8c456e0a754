/** The two databases the BFF runs on: SQLite embedded in one process, PostgreSQL for several. */
export type Dialect = 'sqlite' | 'postgres';
