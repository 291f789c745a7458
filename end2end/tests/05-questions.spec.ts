import { expect, test } from '@playwright/test';
import { createEventFromCli, hydrated } from './helpers';

test('an attendee asks, another upvotes, the co-instructor bubbles it up with a note, and the presenter sees it; markup stays text', async ({ browser, baseURL }) => {
  const links = createEventFromCli(baseURL!);
  const contexts = await Promise.all([0, 1, 2, 3].map(() => browser.newContext()));
  const [presenter, moderator, ana, ben] = await Promise.all(contexts.map(c => c.newPage()));
  // A script that ran would open a dialog: none may.
  for (const page of [presenter, moderator, ana, ben]) {
    page.on('dialog', dialog => { throw new Error(`a dialog opened: ${dialog.message()}`); });
  }

  await presenter.goto(links.presenter);
  await moderator.goto(links.moderator);
  for (const page of [presenter, moderator]) {
    await hydrated(page);
    await expect(page.getByTestId('link-state')).toHaveText('Connected');
  }
  for (const attendee of [ana, ben]) {
    await attendee.goto(links.attendee);
    await hydrated(attendee);
    await expect(attendee.getByTestId('link-state')).toHaveText('Connected');
  }
  await presenter.getByRole('button', { name: 'Start the tutorial' }).click();

  const question = 'Does <script>alert("x")</script> work with Dask arrays?';
  await ana.getByLabel('Your question').fill(question);
  await ana.getByLabel('Your name (leave empty to ask anonymously)').fill('Ana');
  await ana.getByRole('button', { name: 'Ask', exact: true }).click();
  await expect(ana.getByTestId('my-questions')).toContainText('in the queue');

  const onBen = ben.getByTestId('public-questions').getByTestId('question').filter({ hasText: 'work with Dask arrays?' });
  await expect(onBen.locator('.question-text')).toHaveText(question);
  await onBen.getByTestId('upvote').click();
  await expect(onBen.getByTestId('upvote')).toHaveAttribute('aria-pressed', 'true');
  await expect(onBen.getByTestId('votes')).toHaveText('1');

  const inQueue = moderator.getByTestId('queue-item').filter({ hasText: 'work with Dask arrays?' });
  await expect(inQueue).toContainText('1 vote');
  await inQueue.getByRole('button', { name: 'Note or answer…' }).click();
  await inQueue.getByLabel('Note for the presenter').fill('Good one for after the demo');
  await inQueue.getByRole('button', { name: 'Bubble up with the note' }).click();
  await expect(inQueue).toContainText('passed to the presenter');

  const bubbled = presenter.getByTestId('bubbled-question');
  await expect(bubbled.locator('.question-text')).toHaveText(question);
  await expect(bubbled.getByTestId('bubble-note')).toHaveText('Note: Good one for after the demo');
  await expect(ana.getByTestId('my-questions')).toContainText('passed to the presenter');

  // Taken: it is answered live, for everyone.
  await bubbled.getByRole('button', { name: 'Taken' }).click();
  await expect(onBen).toContainText('Answered live by the presenter');
  // The markup never became elements on any page.
  for (const page of [presenter, moderator, ana, ben]) {
    expect(await page.locator('main script').count()).toBe(0);
  }

  await Promise.all(contexts.map(c => c.close()));
});
