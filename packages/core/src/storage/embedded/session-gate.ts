/**
 * PGlite is one PostgreSQL session. Everything that uses it (the owner's own
 * queries and transactions, and each client connected through the socket)
 * takes its turn here, so no one's statements run inside someone else's
 * transaction.
 */
import { Mutex, type MutexInterface } from 'async-mutex';

export class SessionGate {
  private readonly mutex = new Mutex();

  /** Waits for the session; call the returned function to give it back. */
  acquire(): Promise<MutexInterface.Releaser> {
    return this.mutex.acquire();
  }

  /** Runs work with the session held, and gives it back however the work ends. */
  run<T>(work: () => Promise<T>): Promise<T> {
    return this.mutex.runExclusive(work);
  }
}
