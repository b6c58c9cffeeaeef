// A webhook process stand-in for the inbox tests: opens the inbox at argv[2] (key: base64 argv[5])
// with a delivery that never completes, accepts the decision given as JSON in argv[3] for workflow
// argv[4], prints "accepted" once the inbox acknowledged it, and then waits to be killed.
import { createDecisionInbox } from '../../../../src/webhook/inbox/inbox.ts';
import { createLogger } from '../../../../src/log.ts';
import type { ApprovalDecision } from '../../../../workflows/sensitive-action/messages.ts';
import { verified } from './helpers.ts';

const [dir, decisionJson, workflowId, key] = process.argv.slice(2) as [
  string,
  string,
  string,
  string,
];
const inbox = createDecisionInbox({
  dir,
  deliver: () => new Promise(() => undefined),
  key: Buffer.from(key, 'base64'),
  logger: createLogger({ level: 'warn' }),
});
await inbox.start();
await inbox.accept(verified(workflowId, JSON.parse(decisionJson) as ApprovalDecision));
console.log('accepted');
setInterval(() => undefined, 60_000);
