// The real Temporal UI, driven by headless Chromium: a workflow input that the server stores
// encrypted shows in clear on the workflow's page, decrypted in the browser through the codec
// server that `make up` starts and the dev server's UI is pointed at.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { test } from 'node:test';
import { createClient } from '../../../src/temporal/client.ts';
import type { Browser } from 'playwright-core';
import { launchBrowser } from '../../helpers/browser.ts';
import { testConfig } from '../../helpers/temporal.ts';

test('an operator reads an encrypted workflow input in clear in the Temporal UI', async () => {
  const config = testConfig();
  assert.ok(config.AIRLOCK_PAYLOAD_KEY, 'make up sets the payload key');
  const client = await createClient(config);
  const marker = `refund for order ${randomUUID()}`;
  const handle = await client.workflow.start('durableWaitWorkflow', {
    taskQueue: `codec-ui-${randomUUID()}`,
    workflowId: `codec-ui-${randomUUID()}`,
    args: [{ purpose: marker }],
  });
  let browser: Browser | undefined;
  try {
    browser = await launchBrowser();
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    await page.goto(
      `${config.TEMPORAL_UI_URL}/namespaces/${config.TEMPORAL_NAMESPACE}/workflows/${encodeURIComponent(handle.workflowId)}`,
    );
    await page.getByText(marker).first().waitFor({ timeout: 30_000 });
    mkdirSync('test-results', { recursive: true });
    await page.screenshot({ path: 'test-results/temporal-ui-decoded.png' });
  } finally {
    await browser?.close();
    await handle.terminate('test done');
    await client.connection.close();
  }
});
