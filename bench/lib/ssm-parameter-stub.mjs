// A stand-in for SSM's GetParameter on 127.0.0.1 (the embedded local AWS has
// no SSM), so the cold-start bench reads the master key the way a deployed
// function does: `bootstrap` gives it WORKFLOW_AWS_ENCRYPTION_KEY_PARAMETER,
// never the key. Answers the JSON 1.1 protocol the SDK speaks; counts reads.
import { createServer } from 'node:http';

/** Serves `parameters` (name → value) until stop(); `reads` counts GetParameter calls. */
export async function startSsmParameterStub(parameters) {
  let reads = 0;
  const server = createServer((request, response) => {
    const chunks = [];
    request.on('data', (chunk) => chunks.push(chunk));
    request.on('end', () => {
      const reply = (status, body) => {
        response.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' });
        response.end(JSON.stringify(body));
      };
      if (request.headers['x-amz-target'] !== 'AmazonSSM.GetParameter') return reply(400, { __type: 'InvalidAction', message: 'only GetParameter' });
      reads++;
      const { Name } = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
      if (!(Name in parameters)) return reply(400, { __type: 'ParameterNotFound', message: `${Name} not found` });
      reply(200, { Parameter: { Name, Type: 'SecureString', Value: parameters[Name], Version: 1, DataType: 'text', LastModifiedDate: 0 } });
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${server.address().port}`,
    get reads() {
      return reads;
    },
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
