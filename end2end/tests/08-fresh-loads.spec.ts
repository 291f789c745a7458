import { Browser, BrowserContextOptions, expect, test } from '@playwright/test';
import { createEventFromCli, hydrated, openLive, signIn } from './helpers';

// Hydration must never fail, whatever the timing: the attendee's page in every phase of
// the event, and every other page in the phase it is most used in, each loaded fresh
// (a new tab; the first in a new browser context) 20 times, with no console error and
// the page live at the end.
const LOADS = 20;
const AT_ONCE = 4;

/** Loads `url` LOADS times, AT_ONCE at a time, each in a new tab; returns what went wrong. */
async function freshLoads(browser: Browser, url: string, options: BrowserContextOptions = {}) {
  const problems: string[] = [];
  const context = await browser.newContext(options);
  const one = async (n: number) => {
    const page = await context.newPage();
    page.on('console', m => { if (m.type() === 'error') problems.push(`load ${n}: ${m.text().slice(0, 300)}`); });
    page.on('pageerror', e => problems.push(`load ${n}: ${e.message.slice(0, 300)}`));
    await page.goto(url);
    try {
      await page.waitForSelector('body[data-hydrated]', { state: 'attached', timeout: 15_000 });
    } catch {
      problems.push(`load ${n}: never hydrated`);
    }
    // Errors from the first live snapshot and effects come just after hydration.
    await page.waitForTimeout(200);
    await page.close();
  };
  for (let start = 0; start < LOADS; start += AT_ONCE) {
    await Promise.all(Array.from({ length: Math.min(AT_ONCE, LOADS - start) }, (_, i) => one(start + i)));
  }
  await context.close();
  return problems;
}

test('every page hydrates without an error, 20 fresh loads each, the attendee\'s in every phase', async ({ browser, baseURL }) => {
  test.setTimeout(420_000);
  const links = createEventFromCli(baseURL!);

  // The organizer's pages: the report and the event page, signed in.
  const signedIn = await browser.newContext();
  const organizer = await signedIn.newPage();
  await signIn(organizer);
  const session = await signedIn.storageState();
  await signedIn.close();

  const presenterContext = await browser.newContext();
  const presenter = await presenterContext.newPage();
  presenter.on('dialog', dialog => dialog.accept());
  await openLive(presenter, links.presenter);

  const problems: string[] = [];
  const check = async (name: string, url: string, options?: BrowserContextOptions) => {
    for (const p of await freshLoads(browser, url, options)) problems.push(`${name}, ${p}`);
  };

  await check('attendee (waiting)', links.attendee);
  await check('stage (waiting)', `${links.attendee}/stage`);
  await presenter.getByRole('button', { name: 'Start the tutorial' }).click();
  await expect(presenter.getByText(/Live since/)).toBeVisible();
  await check('attendee (live)', links.attendee);
  // The seed's second section is a lab: done / stuck and its countdown.
  await presenter.keyboard.press('n');
  await expect(presenter.getByTestId('current-section-title')).toContainText('Introductory Lab');
  await check('attendee (lab)', links.attendee);
  await check('presenter (lab)', links.presenter);
  await check('co-instructor (lab)', links.moderator);
  await presenter.getByRole('button', { name: 'End the tutorial' }).click();
  await expect(presenter.getByText(/Ended at/)).toBeVisible();
  await check('attendee (ended: the survey)', links.attendee);
  await check('survey page', `${links.attendee}/feedback`);
  await check('report', `/events/${links.slug}/report`, { storageState: session });
  await check('event page', `/events/${links.slug}`, { storageState: session });
  await presenterContext.close();

  expect(problems, problems.join('\n')).toEqual([]);
});
