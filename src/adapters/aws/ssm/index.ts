// Only load-once.ts is imported statically: the SSM client module is imported when a key parameter is configured.
export { loadOnce } from './load-once.js';
