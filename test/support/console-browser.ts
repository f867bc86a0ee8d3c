/**
 * A real Chromium on the gateway's console, for the browser tests: launched
 * the same way by each, the console's login form filled in as an operator
 * does, waits that say what the page and the gateway had when what was
 * expected did not show, and the screenshots of docs/screenshots.
 */
import assert from 'node:assert/strict';
import { mkdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium, type Locator, type Page } from 'playwright-core';
import { CHROMIUM_PATH, chromiumSkipReason, deletePrefix, openRedis, postgresSkipReason, waitFor } from './services.js';

const SCREENSHOTS = fileURLToPath(new URL('../../docs/screenshots/', import.meta.url));
/** UPDATE_SCREENSHOTS=1: the tests rewrite their docs/screenshots/console-*.png. */
export const UPDATE_SCREENSHOTS = process.env.UPDATE_SCREENSHOTS === '1';

/** Why a console browser test cannot run here (no Chromium, no PostgreSQL), or undefined when it can. */
export async function consoleBrowserSkipReason(): Promise<string | undefined> {
  return chromiumSkipReason() ?? (await postgresSkipReason());
}

/** Headless Debian Chromium (CHROMIUM_PATH). */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    // The background-networking flags keep Chromium from calling Google on a machine without network.
    args: [
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

/**
 * Fills the console's login form (on /console/, already open) and submits it;
 * waiting for what follows (the console, or an error) is the caller's part.
 */
export async function submitLogin(page: Page, who: { email: string; password: string }): Promise<void> {
  await page.locator('#login-form input[name=email]').fill(who.email);
  await page.locator('#login-form input[name=password]').fill(who.password);
  await page.locator('#login-form button[type=submit]').click();
}

export interface PageExpectations {
  /** Waits for a locator to show (within `timeout`, default the watch's); returns its first match. */
  expectVisible(locator: Locator, what: string, timeout?: number): Promise<Locator>;
  /** Waits until a page value (read again and again) is what is expected. */
  expectPage<T>(what: string, read: () => Promise<T>, expected: T): Promise<void>;
}

/**
 * Waits on the pages of one test file. On a timeout they fail with what the
 * page showed, its script errors and the end of the gateway's output, so a
 * failure in CI can be understood from its log.
 */
export function pageExpectations(watch: {
  /** How long something may take to show. */
  timeoutMs: number;
  /** The pages' uncaught errors, as the test collects them. */
  pageErrors: readonly string[];
  gatewayOutput(): string;
}): PageExpectations {
  const gatewayEnd = (chars: number) => `gateway output (end):\n${watch.gatewayOutput().slice(-chars)}`;
  return {
    async expectVisible(locator, what, timeout = watch.timeoutMs) {
      try {
        await locator.first().waitFor({ state: 'visible', timeout });
      } catch (error) {
        const text = await locator
          .page()
          .locator('body')
          .innerText()
          .catch(() => '');
        assert.fail(
          `${what} did not show within ${timeout} ms (${String(error).split('\n')[0]})\n` +
            `page text:\n${text.slice(0, 3000)}\npage errors: ${JSON.stringify(watch.pageErrors)}\n` +
            gatewayEnd(3000),
        );
      }
      return locator.first();
    },

    async expectPage<T>(what: string, read: () => Promise<T>, expected: T): Promise<void> {
      let last: T | undefined;
      try {
        await waitFor(
          what,
          async () => {
            last = await read();
            return JSON.stringify(last) === JSON.stringify(expected);
          },
          watch.timeoutMs,
        );
      } catch {
        assert.deepEqual(
          last,
          expected,
          `${what}: still not as expected after ${watch.timeoutMs} ms\n${gatewayEnd(2000)}`,
        );
      }
    },
  };
}

/** With UPDATE_SCREENSHOTS=1, the page as docs/screenshots/console-<name>.png (checked to be a real PNG). */
export async function saveScreenshot(page: Page, name: string): Promise<void> {
  if (!UPDATE_SCREENSHOTS) return;
  await page.evaluate(() => document.fonts.ready.then(() => undefined));
  const path = join(SCREENSHOTS, `console-${name}.png`);
  await mkdir(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path });
  const png = await readFile(path);
  assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], `${name}: a PNG file`);
  assert.ok(png.length > 10_000, `${name} screenshot is only ${png.length} bytes`);
}

/**
 * What a test's gateway leaves behind, once it is stopped: its Redis keys
 * (Redis is shared), its database, its copy of the bot folder.
 */
export async function removeGatewayLeftovers(leftovers: {
  /** The Redis connection's name, for the server's client list. */
  name: string;
  prefix: string;
  database: { drop(): Promise<void> } | undefined;
  botDir: string | undefined;
}): Promise<void> {
  const redis = openRedis(leftovers.name);
  try {
    await deletePrefix(redis, leftovers.prefix);
  } finally {
    await redis.quit();
  }
  await leftovers.database?.drop();
  if (leftovers.botDir) await rm(leftovers.botDir, { recursive: true, force: true });
}
