// Test seam: the world under test (E2E_WORLD_ENTRY) with every queue message
// sent E2E_DUPLICATE_DELIVERIES times, as an at-least-once queue may deliver
// it, for tests of exactly-once effects. Loaded as WORKFLOW_TARGET_WORLD; it
// wraps the MessageQueue port through createWorld's public `overrides`.
// A body this process already sent (a copy sent again to wait, say) goes out
// once more, not N times: copies of copies would multiply without end.
const { createHash } = require('node:crypto');
const { createWorld } = require(process.env.E2E_WORLD_ENTRY);

const copies = Number(process.env.E2E_DUPLICATE_DELIVERIES);
if (!Number.isInteger(copies) || copies < 1) throw new RangeError(`E2E_DUPLICATE_DELIVERIES must be a positive integer; got ${copies}`);

/** The MessageQueue `inner`, with each message's first send repeated `copies` times. */
function duplicating(inner) {
  const sentBodies = new Set();
  return {
    get maxDelaySeconds() {
      return inner.maxDelaySeconds;
    },
    get maxMessageBytes() {
      return inner.maxMessageBytes;
    },
    async send(channel, message) {
      const digest = createHash('sha256').update(channel).update('\0').update(message.body).digest('base64');
      const times = sentBodies.has(digest) ? 1 : copies;
      sentBodies.add(digest);
      const sent = await Promise.all(Array.from({ length: times }, () => inner.send(channel, message)));
      return sent[0];
    },
    receive: (channel, options) => inner.receive(channel, options),
    ack: (channel, receipt) => inner.ack(channel, receipt),
    setVisibility: (channel, receipt, seconds) => inner.setVisibility(channel, receipt, seconds),
  };
}

module.exports = (options = {}) => createWorld({ ...options, overrides: { queue: duplicating } });
