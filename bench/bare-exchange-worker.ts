// The bare worker of bench/exchange.ts, a process of its own like the Airlock worker: the same
// connection, data converter and worker tuning, with only bench/bare-exchange-workflows.ts
// registered and one activity that returns a fixed answer.
import { fileURLToPath } from 'node:url';
import { runBareWorker } from './bare.ts';

await runBareWorker(
  fileURLToPath(new URL('./bare-exchange-workflows.ts', import.meta.url)),
  {
    bareAnswer: (question: string) => Promise.resolve(`An answer to: ${question.slice(0, 40)}`),
  },
  'bare exchange worker ready',
);
