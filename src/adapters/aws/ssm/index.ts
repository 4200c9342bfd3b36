export { createSsmClient, onceUntilRead, readMasterKeyParameter } from './master-key-parameter.js';
