import type { ClientBase, QueryConfig, QueryResult } from 'pg';
import { describe } from './options.ts';

/** What insert({ tx }) needs of the caller's connection: pg's Client or PoolClient. */
export type CallerClient = Pick<ClientBase, 'query'> & { getTransactionStatus?: () => string | null };

const USAGE =
  'pass the pg client (a PoolClient from pool.connect(), or a Client) on which you ran BEGIN: ' +
  "const client = await pool.connect(); await client.query('BEGIN'); … " +
  "await task.enqueue(input, { tx: client }); await client.query('COMMIT')";

/** PostgreSQL's codes for "no such table" and "current transaction is aborted". */
const UNDEFINED_TABLE = '42P01';
const IN_FAILED_TRANSACTION = '25P02';

function alreadyFailed(verb: string, cause?: unknown): Error {
  return new Error(
    `${verb}: the transaction on tx has already failed (an earlier statement raised an error); ` +
      'roll it back, and enqueue in a new transaction',
    cause === undefined ? undefined : { cause },
  );
}

function callerClient(tx: unknown, verb: string): CallerClient {
  const candidate = tx as { query?: unknown; connect?: unknown; totalCount?: unknown } | null;
  if (candidate === null || typeof candidate !== 'object' || typeof candidate.query !== 'function') {
    throw new TypeError(
      `${verb}: with the postgres backend, tx must be a pg client in a transaction; ${USAGE} (got ${describe(tx)})`,
    );
  }
  if (typeof candidate.totalCount === 'number') {
    throw new TypeError(
      `${verb}: tx is a pg.Pool, which runs each query on whichever connection is free, outside your ` +
        `transaction; ${USAGE}`,
    );
  }
  return tx as CallerClient;
}

/**
 * Runs `query` (an insert that also NOTIFYs) on the caller's connection, inside the caller's open
 * transaction (see inCallerTransaction).
 */
export async function insertInCallerTransaction<Row extends object>(
  tx: unknown,
  query: QueryConfig,
  schema: string,
): Promise<QueryResult<Row>> {
  return inCallerTransaction(tx, schema, 'insert', (client) => client.query<Row>(query));
}

/**
 * Runs `work` on the caller's connection, inside the caller's open transaction, and never outside
 * one: a job must not be committed when the caller's transaction rolls back. pg 8.21+ reports the
 * connection's transaction status; for an older pg (or pg-native, which does not), a SAVEPOINT
 * proves there is a transaction block (PostgreSQL refuses it outside one) and scopes the work.
 * `verb` names the backend method in error messages.
 */
export async function inCallerTransaction<T>(
  tx: unknown,
  schema: string,
  verb: string,
  work: (client: CallerClient) => Promise<T>,
): Promise<T> {
  const client = callerClient(tx, verb);
  const status = typeof client.getTransactionStatus === 'function' ? client.getTransactionStatus() : null;
  if (status === 'I') {
    throw new Error(`${verb}: tx is not in a transaction (no BEGIN, or already committed); ${USAGE}`);
  }
  if (status === 'E') throw alreadyFailed(verb);
  try {
    if (status === 'T') return await work(client);
    await client.query('SAVEPOINT errand_insert').catch((error: Error) => {
      throw new Error(`${verb}: tx must be in a transaction (${error.message}); ${USAGE}`, { cause: error });
    });
    const result = await work(client);
    await client.query('RELEASE SAVEPOINT errand_insert');
    return result;
  } catch (error) {
    // pg learns that a transaction failed from the server's ready-for-query message, which arrives
    // after the failed query's promise has already rejected: a caller that enqueues at once may
    // still see status 'T', and the server answers with this code instead.
    if ((error as { code?: unknown }).code === IN_FAILED_TRANSACTION) throw alreadyFailed(verb, error);
    if ((error as { code?: unknown }).code === UNDEFINED_TABLE) {
      throw new Error(
        `${verb}: tx is connected to a database without errand's "${schema}" schema; open your transaction ` +
          'on the database errand uses (and let errand start once there, to create its tables)',
        { cause: error },
      );
    }
    throw error;
  }
}
