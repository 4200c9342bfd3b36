// In-region request latencies on real AWS, as published (the one table the
// critical-path estimate uses). low/high bracket a p50 per request as the
// client sees it, network included; each row names where its figures come from.
export const AWS_LATENCIES_MS = {
  dynamodb: {
    low: 5,
    high: 15,
    source:
      'low: "single-digit millisecond Average SuccessfulRequestLatency" for single-item operations, service side, transport excluded ' +
      '(https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/TroubleshootingLatency.html); ' +
      'high: "delays ranging from 10 to 20 ms under typical conditions", client side (https://dynobase.dev/dynamodb-performance-latency/)',
  },
  sqs: {
    low: 10,
    high: 20,
    source:
      '"the time to send a 1KB message is reduced ... to 16ms", Amazon-provided measurement, same region (us-east-1), in ' +
      'Uddin, He, Sion, Cloud Performance Benchmark Series: Amazon SQS, rev. July 2012 (https://paperzz.com/doc/8847683/cloud-performance-benchmark-series); ' +
      'low/high: 16 ms rounded down and up',
  },
  s3: {
    low: 100,
    high: 200,
    source:
      '"consistent small object latencies ... of roughly 100-200 milliseconds" ' +
      '(https://docs.aws.amazon.com/AmazonS3/latest/userguide/optimizing-performance-guidelines.html)',
  },
};

/** { low, high } ms per step: each service's critical-path round trips per step × its latency. */
export function estimateOnAws(roundTripsByService) {
  let low = 0;
  let high = 0;
  for (const [service, n] of Object.entries(roundTripsByService)) {
    const latency = AWS_LATENCIES_MS[service];
    if (!latency) continue;
    low += n * latency.low;
    high += n * latency.high;
  }
  return { low: Math.round(low), high: Math.round(high) };
}
