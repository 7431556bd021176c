import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import puppeteer, { type Browser } from 'puppeteer-core';

/** Debian's chromium; puppeteer-core never downloads a browser (the machine has no internet). */
export const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/**
 * Launches headless chromium with a fresh profile and nothing that phones home (no QUIC, no component
 * updates, no sync); closed, and its profile removed, by `close()`.
 */
export async function launchChromium(): Promise<{ browser: Browser; close: () => Promise<void> }> {
  const profile = await mkdtemp(join(tmpdir(), 'soap-balancer-chromium-'));
  const browser = await puppeteer.launch({
    executablePath: chromiumPath,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      `--user-data-dir=${profile}`,
    ],
  });
  return {
    browser,
    close: async () => {
      await browser.close().catch(() => {});
      await rm(profile, { recursive: true, force: true });
    },
  };
}

/** A browser closed when the test ends. */
export async function browserFor(t: TestContext): Promise<Browser> {
  const { browser, close } = await launchChromium();
  t.after(close);
  return browser;
}
