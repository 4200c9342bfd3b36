// The page in Debian's headless Chromium, driven by playwright-core (which
// downloads no browser of its own): start a run, wait for `completed`, keep a
// screenshot.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { chromium } from 'playwright-core';

const run = promisify(execFile);
const CANDIDATES = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'].filter(Boolean);

/** The Chromium executable; installs Debian's package when missing and this is root (CI). */
export async function ensureChromium(say) {
  const found = CANDIDATES.find((path) => existsSync(path));
  if (found) return found;
  if (process.getuid?.() !== 0) throw new Error('chromium is not installed: `apt-get install -y chromium` (or set CHROMIUM_PATH, or EXAMPLE_BROWSER=0)');
  say('installing Debian\'s chromium (apt-get)');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  await run('apt-get', ['update'], { env, maxBuffer: 64 * 1024 * 1024, timeout: 300_000 });
  await run('apt-get', ['install', '-y', '--no-install-recommends', 'chromium'], { env, maxBuffer: 64 * 1024 * 1024, timeout: 600_000 });
  if (!existsSync('/usr/bin/chromium')) throw new Error('apt-get installed chromium, but /usr/bin/chromium is missing');
  return '/usr/bin/chromium';
}

export async function checkPageInBrowser({ executablePath, url, screenshot }) {
  const profile = await mkdtemp(join(tmpdir(), 'example-chromium-'));
  // A fresh profile directory per run (playwright passes it as --user-data-dir).
  const context = await chromium.launchPersistentContext(profile, {
    executablePath,
    headless: true,
    viewport: { width: 900, height: 700 },
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
  try {
    const page = context.pages()[0] ?? (await context.newPage());
    await page.goto(url, { waitUntil: 'networkidle', timeout: 60_000 });
    await page.getByLabel('email').fill('grace@example.com');
    await page.getByRole('button', { name: 'Sign up' }).click();
    const status = page.getByTestId('run-status');
    await status.waitFor({ timeout: 30_000 });
    try {
      await page.waitForFunction(() => document.querySelector('[data-testid="run-status"]')?.textContent === 'completed', undefined, { timeout: 60_000 });
      // The stream's last line arrives on its own connection; wait for it too.
      await page.waitForFunction(() => document.querySelector('[data-testid="stream"]')?.textContent?.includes('sent the onboarding email'), undefined, { timeout: 30_000 });
    } finally {
      await page.screenshot({ path: screenshot, fullPage: true });
    }
    const runId = await page.getByTestId('run-id').textContent();
    const steps = await page.getByTestId('step').allTextContents();
    if (steps.length !== 4 || !steps.every((text) => text.endsWith(': completed'))) throw new Error(`the page shows four completed steps: ${JSON.stringify(steps)}`);
    return { runId, steps: steps.length };
  } finally {
    await context.close();
    await rm(profile, { recursive: true, force: true });
  }
}
