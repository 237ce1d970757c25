/**
 * errand: the package a new user installs. It is the core (@errand/core) plus
 * the embedded SQLite backend and the CLI, so `createErrand()` works with no
 * set-up. Teams on PostgreSQL or Redis can install @errand/core with their
 * backend alone and never compile SQLite.
 */
export * from '@errand/core';
