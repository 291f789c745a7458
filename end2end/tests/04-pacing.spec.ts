import { expect, test } from '@playwright/test';
import { createEventFromCli, hydrated, openLive } from './helpers';

test('the presenter moves to the next section and the attendee page follows, with the lab countdown and done / stuck', async ({ browser, baseURL }) => {
  const links = createEventFromCli(baseURL!);
  const presenterContext = await browser.newContext();
  const attendeeContext = await browser.newContext();
  const presenter = await presenterContext.newPage();
  const attendee = await attendeeContext.newPage();

  await presenter.goto(links.presenter);
  await hydrated(presenter);
  await expect(presenter.getByTestId('link-state')).toHaveText('Connected');
  await attendee.goto(links.attendee);
  await hydrated(attendee);
  await expect(attendee.getByTestId('link-state')).toHaveText('Connected');

  await presenter.getByRole('button', { name: 'Start the tutorial' }).click();
  const clock = presenter.getByTestId('section-clock');
  await expect(clock.getByTestId('current-section-title')).toHaveText('Overview of Dask with Dask Dataframe');
  await expect(clock.getByTestId('clock-status')).toContainText('On time');
  await expect(clock.getByTestId('projected-finish')).toContainText('On pace to finish');
  await expect(attendee.getByTestId('current-section-title')).toHaveText('Overview of Dask with Dask Dataframe');
  await expect(attendee.locator('[aria-current="step"]')).toContainText('Overview of Dask');

  await presenter.getByRole('button', { name: 'Next section' }).click();
  await expect(attendee.getByTestId('current-section-title')).toHaveText('Introductory Lab and results');
  await expect(attendee.locator('[aria-current="step"]')).toContainText('Introductory Lab and results');
  // A lab counts down on the attendee's page, and offers done / stuck.
  await expect(attendee.getByTestId('section-countdown')).toContainText(/1[45]:\d\d left/);
  await attendee.getByRole('button', { name: 'Stuck' }).click();
  await attendee.getByLabel('Tell the co-instructors what is wrong').fill('The kernel keeps dying');
  await attendee.getByRole('button', { name: 'Send to the co-instructors' }).click();
  await expect(presenter.getByTestId('lab-stuck')).toHaveText('1 stuck');
  await expect(presenter.getByTestId('lab-panel')).toContainText('The kernel keeps dying');

  // The presenter's keys drive the clock too: P pauses.
  await presenter.keyboard.press('p');
  await expect(clock.getByTestId('clock-status')).toContainText('Paused');
  await expect(attendee.getByTestId('section-countdown')).toHaveText('paused');

  await presenterContext.close();
  await attendeeContext.close();
});

test('a yes/no poll is asked, two attendees answer, and the presenter sees the bars at 1 and 1', async ({ browser, baseURL }) => {
  const links = createEventFromCli(baseURL!);
  const contexts = await Promise.all([0, 1, 2].map(() => browser.newContext()));
  const [presenter, ana, ben] = await Promise.all(contexts.map(c => c.newPage()));

  await openLive(presenter, links.presenter);
  for (const attendee of [ana, ben]) await openLive(attendee, links.attendee);
  await presenter.getByRole('button', { name: 'Start the tutorial' }).click();
  await expect(ana.getByTestId('current-section-title')).toBeVisible();

  // One click on the seed's template asks it.
  await presenter.getByRole('button', { name: 'Ask: Have you managed to launch the Binder?' }).click();
  for (const attendee of [ana, ben]) {
    await expect(attendee.getByTestId('poll-card')).toContainText('Have you managed to launch the Binder?');
  }
  await ana.getByTestId('poll-card').getByRole('button', { name: 'Yes' }).click();
  await ben.getByTestId('poll-card').getByRole('button', { name: 'No' }).click();
  await expect(ana.getByTestId('poll-card').getByRole('button', { name: 'Yes' })).toHaveAttribute('aria-pressed', 'true');

  const result = presenter.getByTestId('poll-result').first();
  await expect(result.getByTestId('poll-count-0')).toHaveText('1');
  await expect(result.getByTestId('poll-count-1')).toHaveText('1');
  await expect(result).toContainText('Asked during Overview of Dask with Dask Dataframe');

  // Closed, it takes no more answers: the buttons are disabled and the bars stay.
  await result.getByRole('button', { name: 'Close the poll' }).click();
  await expect(ana.getByTestId('poll-card')).toContainText('This poll has closed.');
  await expect(ana.getByTestId('poll-card').getByRole('button', { name: 'No' })).toBeDisabled();
  await expect(ana.getByTestId('poll-card').getByTestId('poll-count-1')).toHaveText('1');

  await Promise.all(contexts.map(c => c.close()));
});
