/** The World spec version this world implements: CBOR-capable transport and runInput in the first message. */
export const WORLD_SPEC_VERSION = 3;
