// The real Temporal UI, driven by headless Chromium: a workflow input that the server stores
// encrypted shows in clear on the workflow's page, decrypted in the browser through the codec
// server that `make up` starts and the dev server's UI is pointed at. The codec server wants its
// token. Two ways in: the one link `make demo` prints (the codec server signs the browser in and
// serves the UI under its own origin, so no UI setting is needed), or signing in on its page and
// turning on the UI's "include cross-origin credentials" codec setting by hand.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { test } from 'node:test';
import type { CodecServer } from '../../../src/temporal/codec-server.ts';
import type { Browser } from 'playwright-core';
import { launchBrowser } from '../../helpers/browser.ts';
import { startCodecServer, startMarkedWait } from '../../helpers/codec.ts';
import { testConfig } from '../../helpers/temporal.ts';

test('an operator reads an encrypted workflow input in clear in the Temporal UI', async () => {
  const config = testConfig();
  assert.ok(config.AIRLOCK_PAYLOAD_KEY, 'make up sets the payload key');
  assert.ok(config.AIRLOCK_CODEC_TOKEN, 'make up sets the codec token');
  const codecUrl = `http://127.0.0.1:${config.AIRLOCK_CODEC_PORT}`;
  const { client, handle, marker } = await startMarkedWait(config, 'codec-ui');
  let browser: Browser | undefined;
  try {
    browser = await launchBrowser();
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    // Without signing in, the codec server refuses the browser.
    const refused = await page.request.post(`${codecUrl}/decode`, { data: { payloads: [] } });
    assert.equal(refused.status(), 401);
    await page.goto(`${codecUrl}/`);
    await page.getByLabel('codec token').fill(config.AIRLOCK_CODEC_TOKEN);
    await page.getByRole('button', { name: 'Sign in' }).click();
    // Signed in (the page offers the UI); then the dev server's own UI, set by hand as below.
    await page.getByRole('link', { name: 'Open the Temporal UI' }).waitFor();
    await page.goto(config.TEMPORAL_UI_URL);
    // What the UI's Codec Server settings store when "include cross-origin credentials" is on.
    await page.evaluate((endpoint) => {
      localStorage.setItem('overrideRemoteCodecConfiguration', 'true');
      localStorage.setItem('endpoint', JSON.stringify(endpoint));
      localStorage.setItem('includeCredentials', 'true');
    }, codecUrl);
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

test('the one sign-in link lands on the run with its input decoded, and no UI setting touched', async () => {
  const config = testConfig();
  assert.ok(config.AIRLOCK_PAYLOAD_KEY, 'make up sets the payload key');
  const token = randomUUID() + randomUUID();
  let server: CodecServer | undefined;
  let browser: Browser | undefined;
  const { client, handle, marker } = await startMarkedWait(config, 'codec-ui');
  try {
    // This checkout's codec server, in front of the shared dev server's UI.
    const started = await startCodecServer({
      config,
      token,
      uiOrigin: config.TEMPORAL_UI_URL,
      uiUpstream: config.TEMPORAL_UI_URL,
    });
    server = started.server;
    const codecUrl = started.url;
    browser = await launchBrowser();
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    const run = `/namespaces/${config.TEMPORAL_NAMESPACE}/workflows/${encodeURIComponent(handle.workflowId)}`;
    await page.goto(`${codecUrl}/sign-in?token=${token}&to=${encodeURIComponent(run)}`);
    await page.waitForURL(`${codecUrl}${run}**`);
    await page.getByText(marker).first().waitFor({ timeout: 30_000 });
    assert.equal(await page.evaluate(() => localStorage.getItem('includeCredentials')), null);
    assert.equal(await page.getByText(/could not connect/i).count(), 0, 'no codec error banner');
    mkdirSync('test-results', { recursive: true });
    await page.screenshot({ path: 'test-results/temporal-ui-sign-in-link.png' });
  } finally {
    await browser?.close();
    await server?.close();
    await handle.terminate('test done');
    await client.connection.close();
  }
});
