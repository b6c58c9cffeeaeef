// The answer text the gateway records for a turn's reply: a JSON answer's message content, a
// stream's content deltas (first choice only), text parts, and nothing from tool calls or noise.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AnswerText, MAX_ANSWER_CHARS } from '../../../src/gateway/answer-text.ts';

test('a JSON answer: the first choice’s message content, string or text parts', () => {
  const json = new AnswerText();
  json.json(
    JSON.stringify({
      choices: [{ message: { content: 'Hello.' } }, { message: { content: 'other' } }],
    }),
  );
  assert.equal(json.text, 'Hello.');
  const parts = new AnswerText();
  parts.json(
    JSON.stringify({
      choices: [
        {
          message: {
            content: [
              { type: 'text', text: 'A' },
              { type: 'image_url' },
              { type: 'text', text: 'B' },
            ],
          },
        },
      ],
    }),
  );
  assert.equal(parts.text, 'AB');
  const tools = new AnswerText();
  tools.json(
    JSON.stringify({ choices: [{ message: { content: null, tool_calls: [{ id: 'x' }] } }] }),
  );
  assert.equal(tools.text, '');
  const broken = new AnswerText();
  broken.json('{not json');
  assert.equal(broken.text, '');
});

test('a stream: the content deltas in order; comments, [DONE] and usage chunks add nothing', () => {
  const a = new AnswerText();
  for (const line of [
    ': keep-alive',
    'data: {"choices":[{"delta":{"role":"assistant"}}]}',
    'data: {"choices":[{"delta":{"content":"Hel"}}]}',
    '',
    'data: {"choices":[{"delta":{"content":"lo."}}]}',
    'data: {"choices":[],"usage":{"total_tokens":9}}',
    'data: [DONE]',
  ])
    a.line(line);
  assert.equal(a.text, 'Hello.');
});

test('the recorded text is capped', () => {
  const a = new AnswerText();
  const chunk = 'x'.repeat(100_000);
  for (let i = 0; i < 5; i++)
    a.line(`data: ${JSON.stringify({ choices: [{ delta: { content: chunk } }] })}`);
  assert.equal(a.text.length, MAX_ANSWER_CHARS);
});

test('tool calls: named and joined by index, from a JSON answer or a stream', () => {
  const json = new AnswerText();
  json.json(
    JSON.stringify({
      choices: [
        {
          message: {
            content: null,
            tool_calls: [
              { id: 'a', function: { name: 'send_message', arguments: '{"text":"Hi"}' } },
              { id: 'b', function: { name: 'shell', arguments: '{"command":"ls"}' } },
            ],
          },
        },
      ],
    }),
  );
  assert.deepEqual(json.answer.toolCalls, [
    { name: 'send_message', arguments: '{"text":"Hi"}' },
    { name: 'shell', arguments: '{"command":"ls"}' },
  ]);
  const stream = new AnswerText();
  const delta = (tool_calls: unknown) =>
    `data: ${JSON.stringify({ choices: [{ delta: { tool_calls } }] })}`;
  stream.line(delta([{ index: 0, id: 'a', function: { name: 'send_message', arguments: '' } }]));
  stream.line(delta([{ index: 0, function: { arguments: '{"text":' } }]));
  stream.line(delta([{ index: 0, function: { arguments: '"Hi"}' } }]));
  assert.deepEqual(stream.answer, {
    text: '',
    toolCalls: [{ name: 'send_message', arguments: '{"text":"Hi"}' }],
  });
});
