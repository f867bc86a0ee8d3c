/** The two database back ends every storage test runs on: the same SQL must behave the same on both. */
import { type Db, openDb } from '@passerelle/core';
import { createTempDatabase, postgresSkipReason } from './services.js';

export interface TestDatabase {
  db: Db;
  cleanup(): Promise<void>;
}

export interface DatabaseBackend {
  name: string;
  open(): Promise<TestDatabase>;
  /** Why this back end cannot run here (no PostgreSQL), or undefined. */
  skipReason(): Promise<string | undefined>;
}

export const DATABASE_BACKENDS: readonly DatabaseBackend[] = [
  {
    name: 'PGlite (in memory)',
    async open() {
      const db = await openDb({ inMemory: true });
      return { db, cleanup: () => db.close() };
    },
    skipReason: async () => undefined,
  },
  {
    name: 'PostgreSQL',
    async open() {
      const temp = await createTempDatabase();
      const db = await openDb({ databaseUrl: temp.url });
      return {
        db,
        async cleanup() {
          await db.close();
          await temp.drop();
        },
      };
    },
    skipReason: postgresSkipReason,
  },
];
