/** A setting with a value it cannot take; the message names the option or variable. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}
