import type { PoolClient } from 'pg';
import type { Connections } from './connections.ts';

/**
 * Runs `work` in a transaction of errand's own, on one pooled connection: BEGIN, the work, COMMIT;
 * ROLLBACK when the work throws. For the few writes that need more than one statement (an advisory
 * lock, then the statement it guards). A connection whose ROLLBACK failed is discarded, not pooled.
 */
export async function inOwnTransaction<T>(
  connections: Connections,
  work: (client: PoolClient) => Promise<T>,
): Promise<T> {
  const client = await connections.checkout();
  let broken: Error | undefined;
  try {
    // Explicitly READ COMMITTED, whatever default_transaction_isolation says: each statement after
    // an advisory lock must see what the previous holder of the lock committed.
    await client.query('BEGIN ISOLATION LEVEL READ COMMITTED');
    try {
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch((rollbackError: Error) => (broken = rollbackError));
      throw error;
    }
  } finally {
    client.release(broken);
  }
}
