export * from '@errand/sqlite';
