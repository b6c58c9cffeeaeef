// The bare side of bench/approval-latency.ts, as a process of its own like the Airlock worker:
// a Temporal worker with the same connection, data converter, workflow bundle and worker tuning,
// whose durableWaitWorkflow activity (stampRelease) does nothing but POST its token to the
// bench's hit server (argv[2]), the way executeAction's request reaches the refunds API.
import { workflowsPath } from '../src/temporal/worker.ts';
import { runBareWorker } from './bare.ts';

const hitUrl = process.argv[2] ?? '';
await runBareWorker(
  workflowsPath,
  {
    async stampRelease({ token }: { token: string }) {
      const res = await fetch(hitUrl, { method: 'POST', body: JSON.stringify({ token }) });
      await res.arrayBuffer();
      return { token, handledByPid: process.pid };
    },
  },
  'bare worker ready',
);
