// A turn on a real model on this CPU against the scripted stand-in (issue 22): the demo's refund
// turn as the runner sends it (system instructions, Riley's message, the refunds API's typed tool
// and send_message), two model calls per turn: the tool call, then the reply after the tool's
// `pending` answer. Each model serves the same requests `rounds` times after one warm-up; the
// engine's own timings give prompt and generation speed. Also checks each answer: a
// request_refund call for A-1001 with 120, then a text reply.
// Usage: node bench/local-model.ts [rounds=3] [models=small,large]
import { createServer } from 'node:net';
import { startLocalModel, type LocalModelName } from '../src/dev/local-model.ts';
import { startModelStandin } from '../src/dev/model-standin.ts';
import { machine, percentile } from './stats.ts';

const rounds = Number(process.argv[2] ?? 3);
const names = (process.argv[3] ?? 'small,large').split(',') as LocalModelName[];
const key = `sk-bench-${Date.now()}-local-model`;

const instructions =
  'You are the support agent of a parcel carrier. Help the person you are talking to with their order. ' +
  'Refunds go through the refunds-api capability (POST /refunds with order, amount, currency and reason); ' +
  'say plainly when a refund waits for a human approver.\n' +
  'Call each tool at most once; after a tool result, reply in one short plain sentence.';
const tools = [
  {
    type: 'function',
    function: {
      name: 'send_message',
      description: 'Send a progress message to the user now, before your final answer.',
      parameters: {
        type: 'object',
        properties: { text: { type: 'string', minLength: 1 } },
        required: ['text'],
        additionalProperties: false,
      },
    },
  },
  {
    type: 'function',
    function: {
      name: 'request_refund',
      description: "Refund a customer's order (a person may have to approve it).",
      parameters: {
        type: 'object',
        properties: {
          order: { type: 'string', description: 'The order id, e.g. A-1001' },
          amount: { type: 'number', description: 'The amount to refund' },
          currency: { type: 'string', description: 'ISO currency code, e.g. EUR' },
          reason: { type: 'string', description: 'Why, in a few words' },
          purpose: { type: 'string', minLength: 1, description: 'Why, in one sentence.' },
        },
        required: ['order', 'amount', 'currency', 'reason', 'purpose'],
        additionalProperties: false,
      },
    },
  },
];
const user = {
  role: 'user',
  content:
    'Riley Requester: Support: Hi! The parcel for my order A-1001 arrived damaged. Can I get a refund of 120 EUR?',
};

interface Call {
  ms: number;
  promptTokens: number;
  completionTokens: number;
  promptPerS?: number;
  genPerS?: number;
  message: {
    content?: string | null;
    tool_calls?: { id: string; function: { name: string; arguments: string } }[];
  };
}

async function call(baseUrl: string, model: string, messages: unknown[]): Promise<Call> {
  const started = performance.now();
  const res = await fetch(`${baseUrl}/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model, messages, tools, tool_choice: 'auto', temperature: 0 }),
  });
  const body = (await res.json()) as {
    choices: { message: Call['message'] }[];
    usage?: { prompt_tokens: number; completion_tokens: number };
    timings?: { prompt_per_second: number; predicted_per_second: number };
  };
  if (!res.ok) throw new Error(`${res.status}: ${JSON.stringify(body).slice(0, 300)}`);
  return {
    ms: performance.now() - started,
    promptTokens: body.usage?.prompt_tokens ?? 0,
    completionTokens: body.usage?.completion_tokens ?? 0,
    promptPerS: body.timings?.prompt_per_second,
    genPerS: body.timings?.predicted_per_second,
    message: body.choices[0]?.message ?? {},
  };
}

/** One turn: the tool call, then the reply after a `pending` tool result. */
async function turn(baseUrl: string, model: string) {
  const first = await call(baseUrl, model, [{ role: 'system', content: instructions }, user]);
  const tc = first.message.tool_calls?.[0];
  const args = JSON.parse(tc?.function.arguments ?? '{}') as { order?: string; amount?: number };
  const right =
    tc?.function.name === 'request_refund' && args.order === 'A-1001' && args.amount === 120;
  const second = await call(baseUrl, model, [
    { role: 'system', content: instructions },
    user,
    { role: 'assistant', content: null, tool_calls: first.message.tool_calls ?? [] },
    {
      role: 'tool',
      tool_call_id: tc?.id ?? 'x',
      content: JSON.stringify({
        status: 'pending',
        id: 'action:1',
        note: 'Waiting for human approval; tell the user.',
      }),
    },
  ]);
  const replied =
    !second.message.tool_calls?.length && (second.message.content ?? '').trim().length > 0;
  return { ms: first.ms + second.ms, calls: [first, second], right, replied };
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

const rows: string[] = [];
async function measure(label: string, baseUrl: string, model: string, extra = '') {
  await turn(baseUrl, model); // warm-up
  const turns = [];
  for (let i = 0; i < rounds; i++) turns.push(await turn(baseUrl, model));
  const times = turns.map((t) => t.ms);
  const calls = turns.flatMap((t) => t.calls);
  const avg = (xs: (number | undefined)[]) => {
    const v = xs.filter((x): x is number => x !== undefined);
    return v.length ? (v.reduce((a, b) => a + b, 0) / v.length).toFixed(0) : '–';
  };
  rows.push(
    `| ${label} | ${(percentile(times, 50) / 1000).toFixed(3)} s | ${(Math.max(...times) / 1000).toFixed(3)} s | ${avg(calls.map((c) => c.promptPerS))} | ${avg(calls.map((c) => c.genPerS))} | ${turns.filter((t) => t.right).length}/${rounds} | ${turns.filter((t) => t.replied).length}/${rounds} | ${extra} |`,
  );
}

const standin = await startModelStandin({
  apiKey: key,
  models: ['standin'],
  script: [
    {
      name: 'ask',
      afterUser: 'refund',
      reusable: true,
      toolCalls: [
        {
          name: 'request_refund',
          arguments: {
            order: 'A-1001',
            amount: 120,
            currency: 'EUR',
            reason: 'damaged',
            purpose: 'Refund',
          },
        },
      ],
    },
    {
      name: 'told',
      when: (m) => m.at(-1)?.role === 'tool',
      reusable: true,
      text: 'It waits for an approver.',
    },
  ],
});
await measure('scripted stand-in (baseline)', standin.baseUrl, 'standin');
await standin.close();

for (const name of names) {
  const engine = await startLocalModel({ name, port: await freePort(), apiKey: key });
  try {
    await measure(
      `${engine.info.name} (${engine.info.quantization}, ${(engine.info.bytes / 1e9).toFixed(2)} GB)`,
      engine.baseUrl,
      engine.alias,
      `loaded in ${engine.loadSeconds} s`,
    );
  } finally {
    await engine.close();
  }
}

console.log(`### A turn on a local model against the stand-in (${new Date().toISOString().slice(0, 10)})

${machine()}; ${rounds} turns each after one warm-up, two model calls per turn (tool call, then the reply after a pending result); temperature 0.

| model | turn p50 | turn max | prompt tok/s | generation tok/s | right tool call | plain reply | |
| --- | --- | --- | --- | --- | --- | --- | --- |
${rows.join('\n')}
`);
