import { expect, test } from '@playwright/test';
import { createEventFromCli, hydrated, openLive } from './helpers';

// A word cloud asked from the presenter's panel: five attendees answer in words of their
// own on their phones; the stage (1920×1080) draws the cloud in place of the map, the
// same forms grouped ("Dataframes", "dataframe", "DataFrame"), no two words overlapping;
// a co-instructor hides a word and it leaves every screen.
test('a word cloud with five answers on the stage', async ({ browser, baseURL }) => {
  const links = createEventFromCli(baseURL!);
  const staff = await Promise.all([0, 1].map(() => browser.newContext()));
  const [presenter, moderator] = await Promise.all(staff.map(c => c.newPage()));
  const phones = await Promise.all([0, 1, 2, 3, 4].map(() => browser.newContext({ viewport: { width: 390, height: 844 } })));
  const attendees = await Promise.all(phones.map(c => c.newPage()));
  const screen = await browser.newContext({ viewport: { width: 1920, height: 1080 } });
  const stage = await screen.newPage();
  await openLive(presenter, links.presenter);
  await openLive(moderator, links.moderator);
  for (const page of attendees) await openLive(page, links.attendee);
  await stage.goto(`${links.attendee}/stage`);
  await hydrated(stage);
  await presenter.getByRole('button', { name: 'Start the tutorial' }).click();

  const panel = presenter.getByTestId('poll-panel');
  await panel.getByLabel('Question').fill('In one word: what do you use Dask for?');
  await panel.getByLabel('Word cloud: attendees answer in up to three words of their own').check();
  await expect(panel.getByLabel('Choices, one per line (leave empty for yes / no)')).toHaveCount(0);
  await panel.getByRole('button', { name: 'Ask the word cloud' }).click();

  const answers = [['Dataframes', 'ETL'], ['dataframe', 'ML'], ['DataFrame'], ['arrays', 'ML'], ['ETL']];
  for (const [i, page] of attendees.entries()) {
    const card = page.getByTestId('poll-card');
    await expect(card).toContainText('In one word: what do you use Dask for?');
    for (const [n, word] of answers[i].entries()) await card.getByLabel(`Answer ${n + 1}`).fill(word);
    await card.getByRole('button', { name: 'Send' }).click();
    await expect(card.getByTestId('words-mine')).toContainText(answers[i][0]);
  }

  // The stage shows the cloud: four words for nine answers, sized by count.
  const cloud = stage.getByTestId('stage-cloud');
  await expect(cloud).toBeVisible();
  await expect(cloud.getByTestId('cloud-respondents')).toHaveText('5 people answered');
  const words = cloud.getByTestId('cloud-word');
  await expect(words).toHaveCount(4);
  await expect(cloud.locator('[data-testid="cloud-word"][data-count="3"]')).toHaveText('Dataframes');
  await expect(cloud.locator('[data-testid="cloud-word"][data-count="2"]')).toHaveText(['ETL', 'ML']);
  const boxes = await words.evaluateAll(nodes => nodes.map(n => {
    const r = (n as SVGGraphicsElement).getBoundingClientRect();
    return { x: r.x, y: r.y, w: r.width, h: r.height };
  }));
  for (const [i, a] of boxes.entries()) {
    expect(a.w).toBeGreaterThan(0);
    for (const b of boxes.slice(i + 1)) {
      const apart = a.x + a.w <= b.x || b.x + b.w <= a.x || a.y + a.h <= b.y || b.y + b.h <= a.y;
      expect(apart, `${JSON.stringify(a)} overlaps ${JSON.stringify(b)}`).toBe(true);
    }
  }
  const big = await cloud.locator('[data-count="3"]').boundingBox();
  const small = await cloud.locator('[data-count="1"]').boundingBox();
  expect(big!.height).toBeGreaterThan(small!.height);
  await expect(attendees[0].getByTestId('poll-card').getByTestId('cloud-word')).toHaveCount(4);

  // A co-instructor hides "ML": it leaves the stage and the phones.
  const result = moderator.getByTestId('poll-result').first();
  await result.getByRole('button', { name: 'Hide “ML”' }).click();
  await expect(words).toHaveCount(3);
  await expect(cloud.getByText('ML', { exact: true })).toHaveCount(0);
  await expect(attendees[3].getByTestId('poll-card').getByTestId('cloud-word')).toHaveCount(3);
  await expect(result.getByTestId('cloud-hidden')).toContainText('ML');
  await Promise.all([...staff, ...phones, screen].map(c => c.close()));
});
