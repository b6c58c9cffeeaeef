// The load generator of bench/webhook-ack.ts as its own long-lived process (the platform's servers
// are not inside the webhook's event loop): each stdin line is a JSON burst { url, headers, bodies };
// every body is POSTed at once, and one stdout line answers { start: epoch ms when the burst began,
// times: each POST's time to its 200 in ms }.
import { createInterface } from 'node:readline';

for await (const line of createInterface({ input: process.stdin })) {
  const { url, headers, bodies } = JSON.parse(line) as {
    url: string;
    headers: Record<string, string>;
    bodies: string[];
  };
  const start = Date.now();
  const times = await Promise.all(
    bodies.map(async (body) => {
      const t0 = performance.now();
      const res = await fetch(url, { method: 'POST', body, headers });
      await res.text();
      if (res.status !== 200) throw new Error(`status ${res.status}`);
      return performance.now() - t0;
    }),
  );
  process.stdout.write(`${JSON.stringify({ start, times })}\n`);
}
