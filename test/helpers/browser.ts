// Headless Chromium for the browser tests, at the path scripts/bootstrap.sh found or installed
// (AIRLOCK_CHROMIUM_BIN); a missing browser is one clear error naming the fix.
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';
import { loadConfig } from '../../src/config.ts';

/** Launch headless Chromium with the flags that keep it offline and quiet. */
export async function launchBrowser(): Promise<Browser> {
  const executablePath = loadConfig(process.env).AIRLOCK_CHROMIUM_BIN;
  if (!executablePath || !existsSync(executablePath)) {
    throw new Error(
      `no Chromium at AIRLOCK_CHROMIUM_BIN=${executablePath ?? '(unset)'}; run 'make bootstrap' (it installs Debian's chromium)`,
    );
  }
  return chromium.launch({
    executablePath,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}
