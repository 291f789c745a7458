import { expect, test } from '@playwright/test';
import { createEventFromCli, hydrated, openLive } from './helpers';

// The stream overlay, as OBS or vMix load it (a 1920×1080 browser source): transparent,
// and following the scene the presenter or a co-instructor picks on their panel, live.
test('the overlay is transparent and shows what the panel picks, live', async ({ browser, baseURL }) => {
  const links = createEventFromCli(baseURL!);
  const contexts = await Promise.all([0, 1, 2].map(() => browser.newContext()));
  const [presenter, moderator, ana] = await Promise.all(contexts.map(c => c.newPage()));
  const obs = await browser.newContext({ viewport: { width: 1920, height: 1080 } });
  const overlay = await obs.newPage();
  const errors: string[] = [];
  overlay.on('console', m => { if (m.type() === 'error') errors.push(m.text()); });
  await openLive(presenter, links.presenter);
  await openLive(moderator, links.moderator);
  await openLive(ana, links.attendee);
  await overlay.goto(`${links.attendee}/overlay`);
  await hydrated(overlay);

  const main = overlay.getByTestId('overlay');
  await expect(main).toHaveAttribute('data-scene', 'nothing');
  const backgrounds = await overlay.evaluate(() =>
    [document.documentElement, document.body].map(e => getComputedStyle(e).backgroundColor));
  expect(backgrounds).toEqual(['rgba(0, 0, 0, 0)', 'rgba(0, 0, 0, 0)']);
  await expect(main.locator('section')).toHaveCount(0);

  const picker = presenter.getByTestId('overlay-picker');
  await picker.getByRole('button', { name: 'Countdown' }).click();
  await expect(picker.getByRole('button', { name: 'Countdown' })).toHaveAttribute('aria-pressed', 'true');
  await expect(overlay.getByTestId('overlay-headline')).toContainText('Starts');

  await presenter.getByRole('button', { name: 'Start the tutorial' }).click();
  await picker.getByRole('button', { name: 'Section and time' }).click();
  await expect(overlay.getByTestId('overlay-section')).toContainText('Section 1 of');
  await expect(overlay.getByTestId('overlay-section')).toContainText(/min left|less than a minute left|\d:\d\d/);

  // The poll's bars move as the room answers.
  await presenter.getByRole('button', { name: 'Ask: Are you a pandas user?' }).click();
  await picker.getByRole('button', { name: 'Poll' }).click();
  const poll = overlay.getByTestId('overlay-poll');
  await expect(poll).toContainText('Are you a pandas user?');
  await expect(poll.getByTestId('poll-count-0')).toHaveText('0');
  await ana.getByTestId('poll-card').getByRole('button', { name: 'Yes' }).click();
  await expect(poll.getByTestId('poll-count-0')).toHaveText('1');
  await overlay.screenshot({ path: 'test-results/overlay-poll.png', omitBackground: true });

  // A bubbled-up question, put on by the presenter from their list, and taken off.
  await ana.getByLabel('Your name (leave empty to ask anonymously)').fill('Ana');
  await ana.getByLabel('Your question').fill('Does this work with Dask arrays too?');
  await ana.getByRole('button', { name: 'Ask', exact: true }).click();
  await moderator.getByTestId('queue-item').filter({ hasText: 'Dask arrays too' })
    .getByRole('button', { name: 'Bubble up', exact: true }).click();
  const onStream = presenter.getByTestId('bubbled-question').getByRole('button', { name: 'On the stream' });
  await onStream.click();
  await expect(overlay.getByTestId('overlay-question')).toHaveText('Does this work with Dask arrays too?');
  await expect(overlay.getByTestId('overlay')).toContainText('Ana asks');
  await expect(onStream).toHaveAttribute('aria-pressed', 'true');
  await overlay.screenshot({ path: 'test-results/overlay-question.png', omitBackground: true });
  await onStream.click();
  await expect(main).toHaveAttribute('data-scene', 'nothing');

  // A co-instructor may pick too; the join QR.
  await moderator.getByTestId('overlay-picker').getByRole('button', { name: 'Join QR' }).click();
  await expect(overlay.getByTestId('overlay-join').getByRole('img')).toBeVisible();
  await expect(picker.getByRole('button', { name: 'Join QR' })).toHaveAttribute('aria-pressed', 'true');
  await picker.getByRole('button', { name: 'Nothing' }).click();
  await expect(main.locator('section')).toHaveCount(0);

  expect(errors).toEqual([]);
  await Promise.all([...contexts, obs].map(c => c.close()));
});
