// The demo job: runs a script in a hardened sandbox through a Temporal workflow and prints the
// output and the Temporal UI link to the run.
import { loadConfigOrExit } from '../src/config.ts';
import { createClient } from '../src/temporal/client.ts';
import { sandboxRunWorkflow } from '../workflows/index.ts';

const config = loadConfigOrExit();
const client = await createClient(config);
const workflowId = `demo:sandbox:${new Date().toISOString().replace(/[:.]/g, '-')}`;
const script = `const os = require('node:os');
console.log('hello from the sandbox: node ' + process.version + ', uid ' + process.getuid() +
  ', network interfaces: ' + Object.keys(os.networkInterfaces()).join(','));`;

console.log(`\nStarting ${workflowId} on task queue ${config.TEMPORAL_TASK_QUEUE} …`);
const result = await client.workflow.execute(sandboxRunWorkflow, {
  taskQueue: config.TEMPORAL_TASK_QUEUE,
  workflowId,
  args: [{ script }],
});
const link = `${config.TEMPORAL_UI_URL}/namespaces/${config.TEMPORAL_NAMESPACE}/workflows/${encodeURIComponent(workflowId)}`;
console.log(`\nSandbox exit code ${result.exitCode}; output:\n  ${result.stdout.trim()}`);
console.log(`\nTemporal UI (this run):  ${link}`);
console.log(
  `Temporal UI (all runs):  ${config.TEMPORAL_UI_URL}/namespaces/${config.TEMPORAL_NAMESPACE}/workflows\n`,
);
await client.connection.close();
