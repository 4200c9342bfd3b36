// One installation serves one Workflow line: the check before the first message.
import { MemoryWorkflowLineMarker } from '../../../src/adapters/memory/memory-workflow-line-marker.js';
import { ConfigError } from '../../../src/config/config-error.js';
import { workflowLineCheck } from '../../../src/world/workflow-line-check.js';
import type { WorkflowLineMarker } from '../../../src/ports/workflow-line-marker.js';

function counting(marker: WorkflowLineMarker): WorkflowLineMarker & { claims: number } {
  const counted = {
    claims: 0,
    claim: async (line: Parameters<WorkflowLineMarker['claim']>[0]) => {
      counted.claims++;
      return marker.claim(line);
    },
    read: () => marker.read(),
  };
  return counted;
}

describe('workflowLineCheck', () => {
  it('records the line on first use and claims once per world, however many callers', async () => {
    const shared = new MemoryWorkflowLineMarker();
    const marker = counting(shared);
    const check = workflowLineCheck({ line: '5', installation: 'shop', marker: () => marker, env: {} });
    await Promise.all([check.assert(), check.assert(), check.assert()]);
    await check.assert();
    expect(marker.claims).toBe(1);
    expect(await shared.read()).toBe('5');
  });

  it('refuses the other line with a ConfigError naming both, and keeps refusing', async () => {
    const marker = new MemoryWorkflowLineMarker();
    await workflowLineCheck({ line: '4', installation: 'shop', marker: () => marker, env: {} }).assert();
    const five = workflowLineCheck({ line: '5', installation: 'shop', marker: () => marker, env: {} });
    await expect(five.assert()).rejects.toBeInstanceOf(ConfigError);
    await expect(five.assert()).rejects.toThrow('Installation "shop" serves the workflow@4 line; this app runs workflow@5.');
    expect(await marker.read()).toBe('4');
  });

  it('guards queue(): no message is sent by a refused app', async () => {
    const marker = new MemoryWorkflowLineMarker();
    await marker.claim('5');
    const sent: unknown[] = [];
    const queue = workflowLineCheck({ line: '4', installation: 'shop', marker: () => marker, env: {} }).guard(async (...args) => {
      sent.push(args);
      return { messageId: 'm' as never };
    });
    await expect(queue('__wkf_workflow_x' as never, {} as never)).rejects.toThrow('serves the workflow@5 line');
    expect(sent).toEqual([]);
  });

  it('skips the claim inside a Lambda function (deploy records the line)', async () => {
    const marker = counting(new MemoryWorkflowLineMarker());
    await workflowLineCheck({ line: '5', installation: 'shop', marker: () => marker, env: { AWS_LAMBDA_FUNCTION_NAME: 'fn' } }).assert();
    expect(marker.claims).toBe(0);
  });

  it('a failed claim (e.g. throttled) is retried by the next caller', async () => {
    let fail = true;
    const marker: WorkflowLineMarker = {
      claim: async (line) => {
        if (fail) throw new Error('throttled');
        return line;
      },
      read: async () => undefined,
    };
    const check = workflowLineCheck({ line: '4', installation: 'shop', marker: () => marker, env: {} });
    await expect(check.assert()).rejects.toThrow('throttled');
    fail = false;
    await expect(check.assert()).resolves.toBeUndefined();
  });
});
