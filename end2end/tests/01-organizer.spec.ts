import { expect, test } from '@playwright/test';
import { hydrated } from './helpers';

test('a newcomer signs up, creates an event and sees its three links', async ({ page }) => {
  await page.goto('/');
  await expect(page).toHaveURL(/\/setup$/);
  await hydrated(page);

  await page.getByLabel('Your name').fill('Ada Lovelace');
  await page.getByLabel('Email').fill('ada@example.org');
  await page.getByLabel('Password').fill('correct horse battery');
  await page.getByRole('button', { name: 'Create account' }).click();

  await expect(page).toHaveURL(/\/events\/new$/);
  await expect(page.getByRole('heading', { name: 'New event' })).toBeVisible();
  await hydrated(page);
  await page.getByLabel('Title', { exact: true }).fill('Dask tutorial <b>live</b>');
  await page.getByLabel('Starts at').fill('2026-12-10T17:00');
  await page.getByLabel('Time zone').fill('Europe/London');
  await page.getByLabel('Section title').fill('Overview of Dask');
  await page.getByRole('button', { name: 'Add a section' }).click();
  await page.getByLabel('Section title').nth(1).fill('Introductory lab');
  await page.getByLabel('Kind').nth(1).selectOption('lab');
  await page.getByLabel('Hide poll results from attendees until').check();
  await page.getByRole('button', { name: 'Create event' }).click();

  await expect(page.getByRole('heading', { name: 'Your event is ready' })).toBeVisible();
  const attendee = page.getByTestId('attendee-url');
  const presenter = page.getByTestId('presenter-url');
  const moderator = page.getByTestId('moderator-url');
  await expect(attendee).toHaveText(/\/e\/dask-tutorial-b-live-b-[a-z0-9]{4}$/);
  await expect(presenter).toHaveText(/\/r\/[0-9a-f]{64}$/);
  await expect(moderator).toHaveText(/\/r\/[0-9a-f]{64}$/);
  expect(await presenter.textContent()).not.toEqual(await moderator.textContent());

  const attendeeUrl = (await attendee.textContent())!;
  // The event hides poll results by default: the presenter's launcher starts ticked.
  await page.goto((await presenter.textContent())!);
  await hydrated(page);
  await expect(page.getByLabel('Hide the results from attendees until I reveal them')).toBeChecked();

  // The title's markup is text, never HTML.
  await page.goto(attendeeUrl);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Dask tutorial <b>live</b>');
});

test('a wrong password is refused with a message and the form keeps the email', async ({ page }) => {
  await page.goto('/signin');
  await hydrated(page);
  await page.getByLabel('Email').fill('ada@example.org');
  await page.getByLabel('Password').fill('not the password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('alert')).toContainText('do not match');
  await expect(page.getByLabel('Email')).toHaveValue('ada@example.org');
});
