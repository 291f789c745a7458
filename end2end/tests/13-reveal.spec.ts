import { expect, test } from '@playwright/test';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { createEventFromCli, hydrated, openLive } from './helpers';

// A poll asked with its results hidden: early answers cannot sway the rest. The event
// hides poll results by default, so the launcher starts ticked; attendees and the stream
// overlay see no bars until a co-instructor reveals them, then every page shows them.
test('hidden poll results reach attendees and the overlay only when revealed', async ({ browser, baseURL }) => {
  const seed = fs.readFileSync(path.join(__dirname, '..', '..', 'examples', 'dask-tutorial.toml'), 'utf8');
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'lectern-reveal-')), 'event.toml');
  fs.writeFileSync(file, `hide_poll_results = true\n${seed}`);
  const links = createEventFromCli(baseURL!, file);

  const contexts = await Promise.all([0, 1, 2, 3, 4].map(() => browser.newContext()));
  const [presenter, moderator, ana, ben, cleo] = await Promise.all(contexts.map(c => c.newPage()));
  const attendees = [ana, ben, cleo];
  const obs = await browser.newContext({ viewport: { width: 1920, height: 1080 } });
  const overlay = await obs.newPage();
  await openLive(presenter, links.presenter);
  await openLive(moderator, links.moderator);
  for (const page of attendees) await openLive(page, links.attendee);
  await overlay.goto(`${links.attendee}/overlay`);
  await hydrated(overlay);
  await presenter.getByRole('button', { name: 'Start the tutorial' }).click();

  const hide = presenter.getByLabel('Hide the results from attendees until I reveal them');
  await expect(hide).toBeChecked();
  await presenter.getByRole('button', { name: 'Ask: Are you a pandas user?' }).click();
  await presenter.getByTestId('overlay-picker').getByRole('button', { name: 'Poll' }).click();

  for (const [i, page] of attendees.entries()) {
    const card = page.getByTestId('poll-card');
    await card.getByRole('button', { name: i < 2 ? 'Yes' : 'No' }).click();
    await expect(card.getByRole('button', { name: i < 2 ? 'Yes' : 'No' })).toHaveAttribute('aria-pressed', 'true');
    await expect(card.getByTestId('poll-hidden')).toHaveText('The results will be shown when the presenter reveals them.');
    await expect(card.getByTestId('poll-count-0')).toHaveCount(0);
  }
  // The staff see the bars all along; the overlay does not.
  const result = moderator.getByTestId('poll-result').first();
  await expect(result.getByTestId('results-hidden')).toBeVisible();
  await expect(result.getByTestId('poll-count-0')).toHaveText('2');
  await expect(result.getByTestId('poll-count-1')).toHaveText('1');
  await expect(overlay.getByTestId('overlay-poll').getByTestId('poll-hidden')).toBeVisible();
  await expect(overlay.getByTestId('poll-count-0')).toHaveCount(0);

  await result.getByRole('button', { name: 'Reveal the results' }).click();
  for (const page of [...attendees, overlay]) {
    await expect(page.getByTestId('poll-count-0')).toHaveText('2');
    await expect(page.getByTestId('poll-count-1')).toHaveText('1');
    await expect(page.getByTestId('poll-hidden')).toHaveCount(0);
  }
  await expect(presenter.getByTestId('poll-result').first().getByTestId('results-hidden')).toHaveCount(0);
  await expect(presenter.getByRole('button', { name: 'Reveal the results' })).toHaveCount(0);

  // Unticked, the next poll shows its bars from the first answer.
  await hide.uncheck();
  await presenter.getByRole('button', { name: 'Ask: Have you used Dask before?' }).click();
  await expect(ana.getByTestId('poll-card')).toContainText('Have you used Dask before?');
  await ana.getByTestId('poll-card').getByRole('button', { name: 'Yes' }).click();
  await expect(ben.getByTestId('poll-card').getByTestId('poll-count-0')).toHaveText('1');
  await Promise.all([...contexts, obs].map(c => c.close()));
});
