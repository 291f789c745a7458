import { expect, test } from '@playwright/test';
import { createEventFromCli, hydrated } from './helpers';

test('three attendees check in and the presenter greets their places', async ({ browser, baseURL }) => {
  const links = createEventFromCli(baseURL!);
  const presenterContext = await browser.newContext();
  const presenter = await presenterContext.newPage();
  await presenter.goto(links.presenter);
  await hydrated(presenter);

  const contexts = [];
  for (const [place, name] of [['Pune', 'Asha'], ['lagos', ''], ['Leeds, UK', 'Tom']]) {
    const context = await browser.newContext();
    contexts.push(context);
    const page = await context.newPage();
    await page.goto(links.attendee);
    await hydrated(page);
    await expect(page.getByTestId('link-state')).toHaveText('Connected');
    await page.getByLabel('City or country').fill(place);
    await page.getByLabel('Your name (optional)').fill(name);
    await page.getByRole('button', { name: 'Check in' }).click();
    await expect(page.getByTestId('checked-in')).toBeVisible();
  }

  await expect(presenter.getByTestId('checkin-count')).toHaveText('3 checked in');
  await expect(presenter.getByTestId('greeting')).toHaveText(/Pune|Lagos|Leeds/);
  for (const city of ['Pune', 'Lagos', 'Leeds']) {
    await expect(presenter.getByTestId('greeting')).toContainText(city);
  }
  const last = contexts[2].pages()[0];
  await expect(last.getByTestId('here-from')).toContainText('3 checked in');
  await expect(last.getByTestId('here-from')).toContainText('Lagos, Nigeria');

  // The stage screen shows the count and a dot per place on the world map.
  const stage = await presenterContext.newPage();
  await stage.setViewportSize({ width: 1920, height: 1080 });
  await stage.goto(`/e/${links.slug}/stage`);
  await hydrated(stage);
  await expect(stage.getByTestId('stage-count')).toHaveText('3');
  await expect(stage.getByTestId('map-dot')).toHaveCount(3);
  await expect(stage.getByTestId('stage-newest')).toContainText('Leeds');
  const overflow = await stage.evaluate(() => document.documentElement.scrollHeight > window.innerHeight || document.documentElement.scrollWidth > window.innerWidth);
  expect(overflow, 'no scrollbars on the stage').toBe(false);

  await presenter.getByRole('button', { name: 'Mark read' }).click();
  await expect(presenter.getByText('No new places since you last read them out.')).toBeVisible();

  // Editing a check-in replaces it: still three.
  await last.getByLabel('City or country').fill('Berlin, Germany');
  await last.getByRole('button', { name: 'Update' }).click();
  await expect(presenter.getByTestId('greeting')).toHaveText('Berlin');
  await expect(presenter.getByTestId('checkin-count')).toHaveText('3 checked in');

  for (const context of contexts) await context.close();
  await presenterContext.close();
});

test('markup typed as a place shows as text everywhere', async ({ browser, baseURL }) => {
  const links = createEventFromCli(baseURL!);
  const presenterContext = await browser.newContext();
  const presenter = await presenterContext.newPage();
  await presenter.goto(links.presenter);
  await hydrated(presenter);
  const attendeeContext = await browser.newContext();
  const attendee = await attendeeContext.newPage();
  let dialogs = 0;
  for (const page of [presenter, attendee]) page.on('dialog', d => { dialogs++; d.dismiss(); });
  await attendee.goto(links.attendee);
  await hydrated(attendee);
  const hostile = '<img src=x onerror=alert(1)>';
  await attendee.getByLabel('City or country').fill(hostile);
  await attendee.getByRole('button', { name: 'Check in' }).click();
  await expect(presenter.getByTestId('greeting')).toHaveText(hostile);
  await expect(attendee.getByTestId('here-from')).toContainText(hostile);
  await presenter.reload();
  await hydrated(presenter);
  await expect(presenter.getByTestId('greeting')).toHaveText(hostile);
  expect(dialogs).toBe(0);
  await presenterContext.close();
  await attendeeContext.close();
});

test('a place the server refuses is explained on the page', async ({ page, baseURL }) => {
  const links = createEventFromCli(baseURL!);
  await page.goto(links.attendee);
  await hydrated(page);
  await expect(page.getByTestId('link-state')).toHaveText('Connected');
  // Spaces pass the browser's "required" check; the server says what is wrong.
  await page.getByLabel('City or country').fill('   ');
  await page.getByRole('button', { name: 'Check in' }).click();
  await expect(page.getByTestId('notice')).toHaveText('Place is required');
});
