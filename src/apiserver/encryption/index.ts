/** Encryption at rest (upstream --encryption-provider-config): public surface. */
export { encryptedStorage } from './storage.js';
export { loadEncryptionConfiguration, parseEncryptionConfiguration, type EncryptionConfiguration, type EncryptionSettings } from './config.js';
export { aescbc, aesgcm, identity, PrefixTransformers, secretbox, type Transformer } from './transformers.js';
