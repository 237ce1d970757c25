import Database from 'better-sqlite3';

import { sqliteBackend } from '@errand/sqlite';

import { removeDatabase, tempDatabasePath } from '../sqlite/temp-database.ts';
import { describeBackendContract } from './backend-contract.ts';

// Each test has its own file. The caller's transaction is the app's own connection to that file,
// as in an app that enqueues inside its own BEGIN IMMEDIATE … COMMIT.
describeBackendContract('sqlite', async () => {
  const path = tempDatabasePath();
  const connections: Database.Database[] = [];
  return {
    backend: sqliteBackend({ path }),
    cleanup: async () => {
      for (const connection of connections) if (connection.open) connection.close();
      await removeDatabase(path);
    },
    begin: async () => {
      const connection = new Database(path);
      connections.push(connection);
      connection.exec('BEGIN IMMEDIATE');
      return {
        tx: connection,
        commit: async () => {
          connection.exec('COMMIT');
          connection.close();
        },
        rollback: async () => {
          connection.exec('ROLLBACK');
          connection.close();
        },
      };
    },
  };
});
