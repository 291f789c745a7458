import { expect, test } from '@playwright/test';
import { createEventFromCli, hydrated, openLive, signIn } from './helpers';

// A quiz question: the presenter ticks the right answer, so its results and its answer
// stay hidden; three attendees answer; a co-instructor reveals the answer, the quiz
// closes, and each attendee is told whether they were right. The report gives the share
// right, with the right bar marked.
test('a hidden quiz is answered by three attendees, revealed, and each sees right or wrong', async ({ browser, baseURL }) => {
  const links = createEventFromCli(baseURL!);
  const contexts = await Promise.all([0, 1, 2, 3, 4, 5].map(() => browser.newContext()));
  const [presenter, moderator, ana, ben, cleo, organizer] = await Promise.all(contexts.map(c => c.newPage()));
  const attendees = [ana, ben, cleo];
  await openLive(presenter, links.presenter);
  await openLive(moderator, links.moderator);
  for (const page of attendees) await openLive(page, links.attendee);
  await presenter.getByRole('button', { name: 'Start the tutorial' }).click();

  const form = presenter.locator('.poll-form');
  await form.getByLabel('Question').fill('Which runs a function on every partition?');
  await form.getByLabel('Choices, one per line').fill('map_partitions\napply\ncompute');
  const right = form.getByRole('group', { name: /Right answer/ });
  await expect(right.getByRole('checkbox')).toHaveCount(3);
  await right.getByLabel('map_partitions').check();
  await presenter.getByTestId('poll-panel').screenshot({ path: test.info().outputPath('quiz-form.png') });
  await form.getByRole('button', { name: 'Ask the poll' }).click();
  await expect(right.getByRole('checkbox')).toHaveCount(2); // back to yes / no, unticked
  await expect(right.getByRole('checkbox', { checked: true })).toHaveCount(0);

  const picks = ['map_partitions', 'apply', 'map_partitions'];
  for (const [i, page] of attendees.entries()) {
    const card = page.getByTestId('poll-card');
    await expect(card).toContainText('Quiz question');
    await card.getByRole('button', { name: picks[i] }).click();
    await expect(card.getByRole('button', { name: picks[i] })).toHaveAttribute('aria-pressed', 'true');
    await expect(card.getByTestId('poll-hidden')).toBeVisible();
    await expect(card.getByTestId('quiz-verdict')).toHaveCount(0);
    await expect(card.getByTestId('poll-right')).toHaveCount(0);
  }
  // The staff see the bars and the right answer; attendees see neither yet.
  const result = moderator.getByTestId('poll-result').first();
  await expect(result.getByTestId('quiz-pill')).toBeVisible();
  await expect(result.getByTestId('poll-count-0')).toHaveText('2');
  await expect(result.getByTestId('poll-right')).toContainText('map_partitions');

  await moderator.getByTestId('poll-panel').screenshot({ path: test.info().outputPath('quiz-staff.png') });
  await result.getByRole('button', { name: 'Reveal the answer' }).click();
  const verdicts = ['✓ Right!', 'Not this time: the answer is map_partitions.', '✓ Right!'];
  for (const [i, page] of attendees.entries()) {
    const card = page.getByTestId('poll-card');
    await expect(card.getByTestId('quiz-verdict')).toHaveText(verdicts[i]);
    await expect(card.getByTestId('poll-count-0')).toHaveText('2');
    await expect(card.getByTestId('poll-right')).toContainText('map_partitions');
    await expect(card.getByText('This poll has closed.')).toBeVisible();
    await expect(card.getByRole('button', { name: 'apply' })).toBeDisabled();
  }
  // A revealed quiz stays closed: nobody could answer it but to copy the answer.
  await expect(presenter.getByTestId('poll-result').first().getByRole('button', { name: 'Reopen' })).toHaveCount(0);
  await ben.getByTestId('poll-card').screenshot({ path: test.info().outputPath('quiz-attendee.png') });

  await signIn(organizer);
  await organizer.goto(`/events/${links.slug}/report`);
  await hydrated(organizer);
  await expect(organizer.getByTestId('quiz-score')).toContainText('Quiz: 67% right');
  await expect(organizer.getByTestId('quiz-sections')).toContainText('67% (2 of 3)');
  const chart = organizer.getByTestId('chart').filter({ hasText: 'Which runs a function on every partition?' });
  await expect(chart).toContainText('✓ map_partitions');
  for (const context of contexts) await context.close();
});
