import { expect, Page, test } from '@playwright/test';
import { createEventFromCli, hydrated, openLive, signIn } from './helpers';

// Markup and scripts typed into every attendee text field: each must show as the very
// characters typed, on every screen that shows it, and never run.
const image = '<img src=x onerror="window.__pwned=1">';
const script = '<script>window.__pwned=1</script>';

async function notPwned(page: Page) {
  expect(await page.evaluate(() => (window as any).__pwned)).toBeUndefined();
  await expect(page.locator('img[src="x"], script:has-text("__pwned")')).toHaveCount(0);
}

test('markup and scripts in every attendee text field render as text', async ({ browser, baseURL }) => {
  const links = createEventFromCli(baseURL!);
  const contexts = await Promise.all([0, 1, 2, 3, 4].map(() => browser.newContext()));
  const [presenter, moderator, stage, attendee, organizer] = await Promise.all(contexts.map(c => c.newPage()));
  await openLive(presenter, links.presenter);
  await openLive(moderator, links.moderator);
  await openLive(attendee, links.attendee);
  await stage.goto(`/e/${links.slug}/stage`);
  await hydrated(stage);

  // Check-in: the place and the name.
  await attendee.getByLabel('City or country').fill(image);
  await attendee.getByLabel('Your name (optional)').fill(script);
  await attendee.getByRole('button', { name: 'Check in' }).click();
  await expect(presenter.getByText(image).first()).toBeVisible();
  await expect(stage.getByText(image).first()).toBeVisible();

  // A question and its asker's name.
  await presenter.getByRole('button', { name: 'Start the tutorial' }).click();
  await attendee.getByLabel('Your question').fill(`Why? ${script}`);
  await attendee.getByLabel('Your name (leave empty to ask anonymously)').fill(image);
  await attendee.getByRole('button', { name: 'Ask', exact: true }).click();
  const inQueue = moderator.getByTestId('queue-item').filter({ hasText: 'Why?' });
  await expect(inQueue).toContainText(`Why? ${script}`);
  await expect(inQueue).toContainText(image);

  // A stuck note in a lab.
  await presenter.getByRole('button', { name: 'Next section' }).click();
  await attendee.getByRole('button', { name: 'Stuck' }).click();
  await attendee.getByLabel('Tell the co-instructors what is wrong').fill(script);
  await attendee.getByRole('button', { name: 'Send to the co-instructors' }).click();
  await expect(presenter.getByTestId('lab-panel')).toContainText(script);

  // The survey's written answers, in the organizer's report.
  presenter.once('dialog', dialog => dialog.accept());
  await presenter.getByRole('button', { name: 'End the tutorial' }).click();
  await attendee.getByTestId('survey-question').filter({ hasText: 'Any other comments?' }).getByRole('textbox').fill(image);
  await attendee.getByRole('button', { name: 'Send my answers' }).click();
  await expect(attendee.getByTestId('survey-sent')).toBeVisible();
  await signIn(organizer);
  await organizer.goto(`/events/${links.slug}/report`);
  await hydrated(organizer);
  await expect(organizer.getByText(image).first()).toBeVisible();
  await expect(organizer.getByText(`Why? ${script}`)).toBeVisible();

  for (const page of [presenter, moderator, stage, attendee, organizer]) await notPwned(page);
  for (const context of contexts) await context.close();
});
