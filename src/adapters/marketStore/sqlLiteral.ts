// Values spliced into the store's SQL text (instrument keys, dates, paths) as string literals. The bindings take
// parameters too, but lists of keys and paths in `COPY`/`read_parquet` cannot be parameters.

/** `s` as a SQL string literal: quoted, with its quotes doubled. */
export const sqlString = (s: string): string => `'${s.replaceAll("'", "''")}'`
