export { MemoryBackend, memoryBackend } from './memory-backend.ts';
