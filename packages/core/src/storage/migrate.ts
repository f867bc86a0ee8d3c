import type { Db } from './db.js';
import { MIGRATIONS, type Migration } from './migrations.js';

// Any constant works; it only has to be the same in every process of this app.
const MIGRATION_LOCK_ID = 727_001;

export interface MigrationResult {
  applied: Migration[];
  current: number;
}

/**
 * Applies pending migrations, each in its own transaction. Several processes
 * starting at once (gateway + workers) serialise on an advisory lock, so only
 * the first one migrates and the others find nothing left to do.
 */
export async function migrate(db: Db, migrations: Migration[] = MIGRATIONS): Promise<MigrationResult> {
  return db.transaction(async (tx) => {
    await tx.query('select pg_advisory_xact_lock($1)', [MIGRATION_LOCK_ID]);
    await tx.query(`create table if not exists schema_migrations (
      version integer primary key,
      name text not null,
      applied_at timestamptz not null default now()
    )`);
    const { rows } = await tx.query<{ version: number }>('select version from schema_migrations');
    const done = new Set(rows.map((row) => Number(row.version)));
    const applied: Migration[] = [];
    for (const migration of [...migrations].sort((a, b) => a.version - b.version)) {
      if (done.has(migration.version)) continue;
      // Statements run one by one: both drivers accept several per call only without parameters.
      for (const statement of splitStatements(migration.sql)) await tx.query(statement);
      await tx.query('insert into schema_migrations (version, name) values ($1, $2)', [
        migration.version,
        migration.name,
      ]);
      applied.push(migration);
    }
    const current = Math.max(0, ...done, ...applied.map((m) => m.version));
    return { applied, current };
  });
}

/**
 * Comments go first (they may hold a semicolon); our migrations hold no
 * semicolons inside literals or function bodies, so the split is then exact.
 */
function splitStatements(sql: string): string[] {
  return sql
    .split('\n')
    .filter((line) => !line.trim().startsWith('--'))
    .join('\n')
    .split(';')
    .map((statement) => statement.trim())
    .filter((statement) => statement.length > 0);
}
