// Every workflow, re-exported by name: the worker's workflowsPath and the production bundle.
export { durableWaitWorkflow } from './durable-wait/workflow.ts';
export { sandboxRunWorkflow } from './sandbox-run/workflow.ts';
export { sensitiveActionWorkflow } from './sensitive-action/workflow.ts';
export { grantWorkflow } from './grant/workflow.ts';
export { agentSessionWorkflow } from './agent-session/workflow.ts';
export { agentExchangeWorkflow } from './agent-exchange/workflow.ts';
