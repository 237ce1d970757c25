export * from '@errand/core/memory';
