import { expect, test } from '@playwright/test';
import { createEventFromCli, openLive } from './helpers';

// The lab's help queue: attendees pressing Stuck line up in the order pressed and see
// their place; a co-instructor takes one under their name and the attendee sees who is
// coming; the presenter sees how many wait.

test('a stuck attendee sees "2nd in the queue", then "Ana is on their way"', async ({ browser, baseURL }) => {
  const links = createEventFromCli(baseURL!);
  const contexts = await Promise.all([0, 1, 2, 3].map(() => browser.newContext()));
  const [presenter, moderator, ben, rosa] = await Promise.all(contexts.map(c => c.newPage()));
  presenter.on('dialog', dialog => dialog.accept());
  await openLive(presenter, links.presenter);
  await openLive(moderator, links.moderator);
  await openLive(ben, links.attendee);
  await openLive(rosa, links.attendee);
  await rosa.getByLabel('City or country').fill('Lima');
  await rosa.getByLabel('Your name (optional)').fill('Rosa');
  await rosa.getByRole('button', { name: 'Check in' }).click();
  await expect(rosa.getByTestId('checked-in')).toContainText('Lima');

  await presenter.getByRole('button', { name: 'Start the tutorial' }).click();
  await presenter.getByRole('button', { name: 'Next section' }).click();
  await ben.getByRole('button', { name: 'Stuck' }).click();
  await expect(ben.getByTestId('help-place')).toHaveText('You are 1st in the queue for help.');
  await rosa.getByRole('button', { name: 'Stuck' }).click();
  await expect(rosa.getByTestId('help-place')).toHaveText('You are 2nd in the queue for help.');
  await expect(presenter.getByTestId('help-summary')).toContainText('2 waiting for help');

  const queue = moderator.getByTestId('help-queue');
  await expect(queue.getByTestId('help-request')).toHaveCount(2);
  await expect(queue.getByTestId('help-request').nth(1)).toContainText('Rosa');
  await queue.getByLabel('Your name').fill('Ana');
  await queue.getByTestId('help-request').nth(1).getByRole('button', { name: "I'm on it" }).click();
  await expect(rosa.getByTestId('help-place')).toHaveText('Ana is on their way to help you.');
  await expect(queue.getByTestId('help-request').nth(1)).toContainText('Ana is on it');
  await expect(presenter.getByTestId('help-summary')).toContainText('1 waiting for help');
  await expect(presenter.getByTestId('help-summary')).toContainText('1 being helped');

  // Helped: Rosa leaves the line; Ben is still first.
  await queue.getByTestId('help-request').nth(1).getByRole('button', { name: 'Helped' }).click();
  await expect(queue.getByTestId('help-request')).toHaveCount(1);
  await expect(rosa.getByTestId('help-place')).toHaveCount(0);
  await expect(ben.getByTestId('help-place')).toHaveText('You are 1st in the queue for help.');
  await Promise.all(contexts.map(c => c.close()));
});
