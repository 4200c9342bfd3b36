// JSON for the control API. Uint8Array becomes {"$bytes": "<base64>"} so
// binary results survive the trip to the test process (client.ts decodes it).
export function encodeJson(value) {
  return JSON.stringify(value, (_key, v) => (v instanceof Uint8Array ? { $bytes: Buffer.from(v).toString('base64') } : v));
}
