export * from '@errand/core/testing';
