import { expect, Page, test } from '@playwright/test';
import { createEventFromCli, hydrated, openLive, signIn } from './helpers';

/** Picks a choice of one survey question, found by its prompt. */
function question(page: Page, prompt: string) {
  return page.getByTestId('survey-question').filter({ has: page.getByText(prompt, { exact: true }) });
}

test('the presenter ends the event, two attendees answer the survey, and the report charts both answers', async ({ browser, baseURL }) => {
  const links = createEventFromCli(baseURL!);
  const contexts = await Promise.all([0, 1, 2, 3].map(() => browser.newContext()));
  const [presenter, ana, ben, organizer] = await Promise.all(contexts.map(c => c.newPage()));

  await openLive(presenter, links.presenter);
  for (const attendee of [ana, ben]) await openLive(attendee, links.attendee);
  await presenter.getByRole('button', { name: 'Start the tutorial' }).click();
  await expect(ana.getByTestId('current-section-title')).toBeVisible();
  presenter.once('dialog', dialog => dialog.accept());
  await presenter.getByRole('button', { name: 'End the tutorial' }).click();
  await expect(presenter.getByTestId('survey-link').getByRole('link')).toHaveText(`/e/${links.slug}/feedback`);

  // Every attendee page turns into the survey by itself.
  for (const [attendee, pace, comment] of [[ana, 'Just right', 'More on deployment, please'], [ben, 'Too fast', '']] as const) {
    await expect(attendee.getByTestId('ended')).toContainText('This tutorial has ended');
    const survey = attendee.getByTestId('survey');
    await expect(survey).toBeVisible();
    await question(attendee, 'Have you used Dask before?').getByLabel('Yes').check();
    await question(attendee, 'How was the pace?').getByLabel(pace).check();
    if (comment) {
      await question(attendee, 'Any other comments?').getByRole('textbox').fill(comment);
    }
    await survey.getByRole('button', { name: 'Send my answers' }).click();
    await expect(attendee.getByTestId('survey-sent')).toBeVisible();
  }
  // An edit replaces the answer: Ben changes his mind and the report counts him once.
  await question(ben, 'Have you used Dask before?').getByLabel('No').check();
  await ben.getByRole('button', { name: 'Update my answers' }).click();
  await expect(ben.getByTestId('survey-sent')).toBeVisible();

  await signIn(organizer);
  await organizer.goto(`/events/${links.slug}/report`);
  await hydrated(organizer);
  await expect(organizer.getByTestId('stat-responses')).toHaveText('2');
  const paceChart = organizer.getByTestId('chart').filter({ hasText: 'How was the pace?' });
  await expect(paceChart.getByRole('img')).toHaveAttribute('aria-label',
    'How was the pace?: Too slow: 0% (0), Just right: 50% (1), Too fast: 50% (1)');
  const usedChart = organizer.getByTestId('chart').filter({ hasText: 'Have you used Dask before?' });
  await expect(usedChart.getByTestId('chart-value')).toHaveText(['50% (1)', '50% (1)']);
  await expect(organizer.getByText('More on deployment, please')).toBeVisible();

  for (const context of contexts) await context.close();
});

test('duplicating an event keeps its agenda at the new date', async ({ page, baseURL }) => {
  const links = createEventFromCli(baseURL!);
  await signIn(page);
  await page.goto(`/events/${links.slug}`);
  await hydrated(page);
  const agenda = page.locator('.agenda-item');
  const planned = await agenda.allTextContents();
  expect(planned.length).toBe(8);

  const next = page.getByRole('region', { name: 'Run it again' });
  await next.getByLabel('Starts at').fill('2027-03-04T16:00');
  await next.getByLabel('Time zone').fill('America/New_York');
  await next.getByRole('button', { name: 'Duplicate' }).click();
  const copy = page.getByTestId('duplicated').getByRole('link');
  await expect(copy).toHaveText(/\/events\/dask-tutorial-[a-z0-9]{4}$/);
  await expect(page.getByTestId('next-presenter-url')).toHaveText(/\/r\/[0-9a-f]{64}$/);

  await copy.click();
  await expect(page).toHaveURL(/\/events\/dask-tutorial-[a-z0-9]{4}$/);
  expect(page.url()).not.toContain(links.slug);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Dask Tutorial');
  await expect(page.getByText('(America/New_York)')).toBeVisible();
  await expect(page.locator('.agenda-item')).toHaveText(planned);
});
