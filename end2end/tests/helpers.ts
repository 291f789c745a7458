// Shared steps for the end-to-end tests.
import AxeBuilder from '@axe-core/playwright';
import { Browser, expect, Page } from '@playwright/test';
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

/** Waits until the WebAssembly app has hydrated the server-rendered page. */
export async function hydrated(page: Page) {
  await expect(page.locator('body[data-hydrated]')).toHaveCount(1, { timeout: 15_000 });
}

/** Signs in the organizer that the first test set up, and waits for their events. */
export async function signIn(page: Page) {
  await page.goto('/signin');
  await hydrated(page);
  await page.getByLabel('Email').fill('ada@example.org');
  await page.getByLabel('Password').fill('correct horse battery');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/events$/);
}

export interface EventLinks { slug: string; attendee: string; presenter: string; moderator: string }

/** Creates the seed's Dask tutorial (or the event in `file`) through the CLI, as an operator would. */
export function createEventFromCli(baseURL: string, file = path.join(__dirname, '..', '..', 'examples', 'dask-tutorial.toml')): EventLinks {
  const out = execFileSync(process.env.LECTERN_BIN!, [
    'event', 'create', '--file', file,
    '--public-url', baseURL,
  ], { env: { ...process.env, DATABASE_URL: process.env.LECTERN_E2E_DATABASE_URL! } });
  return JSON.parse(out.toString());
}

/** Opens a live page (attendee, presenter or co-instructor) and waits for its socket. */
export async function openLive(page: Page, url: string) {
  await page.goto(url);
  await hydrated(page);
  await expect(page.getByTestId('link-state')).toHaveText('Connected');
}

/** What axe-core (WCAG 2.0–2.2 A and AA, and its best practices) finds on `page` as it
 * is now, one line per offending element, each starting with `label`. */
export async function axeFindings(page: Page, label: string) {
  const result = await new AxeBuilder({ page })
    .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'])
    .analyze();
  return result.violations.flatMap(v => v.nodes.map(n =>
    `${label}: ${v.id} (${v.impact}) ${n.target.join(' ')}: ${n.failureSummary?.split('\n').slice(1, 3).join(' ')}`));
}

/** What axe finds on the page at `url` opened fresh in the `scheme` (light or dark), in
 * the browser language `locale` and signed in with `storageState` where given. */
export async function axeAt(browser: Browser, url: string,
  { scheme, locale, storageState }: { scheme: 'light' | 'dark'; locale?: string; storageState?: object }) {
  const context = await browser.newContext({ colorScheme: scheme, locale, storageState: storageState as never });
  const page = await context.newPage();
  await page.goto(url);
  await hydrated(page);
  // The first live snapshot draws the page's live parts just after hydration.
  await page.waitForTimeout(300);
  const found = await axeFindings(page, `${locale ? `${locale} ` : ''}${scheme} ${url}`);
  await context.close();
  return found;
}

export interface ReceivedMail { raw: string; subject: string; text: string }

/** Waits for the email to `address` whose subject matches `subject`, as the suite's SMTP
 * server (playwright.config.ts) received it; `text` is the message with quoted-printable
 * undone, to find links in. */
export async function mailTo(address: string, subject: RegExp, timeout = 15_000): Promise<ReceivedMail> {
  const folder = process.env.LECTERN_E2E_MAIL!;
  const deadline = Date.now() + timeout;
  const seen: string[] = [];
  while (Date.now() < deadline) {
    const names = fs.existsSync(folder) ? fs.readdirSync(folder).filter(n => n.endsWith('.eml')).sort() : [];
    seen.length = 0;
    for (const name of names) {
      const raw = fs.readFileSync(path.join(folder, name), 'utf8');
      const header = (field: string) => raw.match(new RegExp(`^${field}: (.*)$`, 'mi'))?.[1]?.trim() ?? '';
      const found = { raw, subject: header('Subject'), text: unquote(raw) };
      seen.push(`${header('X-Envelope-To')}: ${found.subject}`);
      if (header('X-Envelope-To').toLowerCase() === address.toLowerCase() && subject.test(found.subject)) {
        return found;
      }
    }
    await new Promise(resolve => setTimeout(resolve, 200));
  }
  throw new Error(`no email to ${address} matching ${subject} within ${timeout} ms; received: ${seen.join(' | ') || 'none'}`);
}

/** Quoted-printable undone: soft line breaks joined, =XX bytes back (as UTF-8). */
function unquote(raw: string): string {
  const joined = raw.replace(/=\r?\n/g, '');
  return Buffer.from(joined.replace(/=([0-9A-F]{2})/g, (_, hex) => String.fromCharCode(parseInt(hex, 16))), 'latin1').toString('utf8');
}
