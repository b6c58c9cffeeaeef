// Pre-bundles the workflow code for production workers (no webpack at worker start).
// Usage: node scripts/bundle-workflows.ts [out-file]   (default dist/workflow-bundle.js)
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { failureConverterPath } from '../src/temporal/client.ts';
import { workflowsPath } from '../src/temporal/worker.ts';

const out = process.argv[2] ?? 'dist/workflow-bundle.js';
const { code } = await bundleWorkflowCode({ workflowsPath, failureConverterPath });
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, code);
console.log(`wrote ${out} (${(code.length / 1024).toFixed(0)} KiB)`);
