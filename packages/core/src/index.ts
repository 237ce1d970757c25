export * from './jobs/states.ts';
export type * from './storage/backend.ts';
