const { chromium } = require('@playwright/test');
const links = require('/tmp/demo/links.json');
const args = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run'];
(async () => {
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args });
  const hydrated = p => p.waitForSelector('body[data-hydrated]', { timeout: 15000 });
  const presenterCtx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const presenter = await presenterCtx.newPage();
  await presenter.goto(links.presenter); await hydrated(presenter);
  const places = ['Pune, India', 'Berlin', 'Lagos', 'Toronto', 'São Paulo', 'Berlin'];
  const attendees = [];
  for (const place of places) {
    const ctx = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 1 });
    const p = await ctx.newPage();
    await p.goto(links.attendee); await hydrated(p);
    await p.getByLabel('City or country').fill(place);
    await p.getByRole('button', { name: /Check in/ }).click();
    attendees.push(p);
  }
  await presenter.getByRole('button', { name: 'Start the tutorial' }).click();
  await attendees[0].waitForSelector('[data-testid=current-section-title]');
  await presenter.waitForTimeout(1500);
  presenter.once('dialog', d => d.accept());
  await presenter.getByRole('button', { name: 'End the tutorial' }).click();
  const paces = ['Just right', 'Just right', 'Too fast', 'Just right', 'Too slow', 'Too fast'];
  for (const [i, p] of attendees.entries()) {
    await p.waitForSelector('[data-testid=survey]');
    const q = t => p.getByTestId('survey-question').filter({ has: p.getByText(t, { exact: true }) });
    await q('Have you used Dask before?').getByLabel(i % 3 ? 'Yes' : 'No').check();
    await q('How was the pace?').getByLabel(paces[i]).check();
    await q('Which sections did you find most informative?').getByLabel(i % 2 ? 'Dask Array' : 'Distributed').check();
    if (i == 0) await q('Would you recommend the tutorial to a colleague?').getByLabel('Yes').check();
    if (i < 5) {
      if (i == 1) await q('Any other comments?').getByRole('textbox').fill('When should I use Dask and when pandas?');
      await p.getByRole('button', { name: 'Send my answers' }).click();
      await p.waitForSelector('[data-testid=survey-sent]');
    }
  }
  await attendees[5].screenshot({ path: '/tmp/demo/survey.png', fullPage: false });
  await attendees[5].evaluate(() => window.scrollTo(0, 600));
  await attendees[5].screenshot({ path: '/tmp/demo/survey2.png', fullPage: false });
  const org = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
  await org.goto('http://127.0.0.1:3900/signin'); await hydrated(org);
  await org.getByLabel('Email').fill('ada@example.org');
  await org.getByLabel('Password').fill('correct horse battery');
  await org.getByRole('button', { name: 'Sign in' }).click();
  await org.waitForURL(/\/events$/);
  await org.screenshot({ path: '/tmp/demo/events.png', fullPage: true });
  await org.goto(`http://127.0.0.1:3900/events/${links.slug}/report`); await hydrated(org);
  await org.screenshot({ path: '/tmp/demo/report.png', fullPage: true });
  await org.goto(`http://127.0.0.1:3900/events/${links.slug}`); await hydrated(org);
  await org.screenshot({ path: '/tmp/demo/event.png', fullPage: true });
  console.log('errors:', (await org.evaluate(() => 0)));
  await browser.close();
})().catch(e => { console.error(e); process.exit(1); });
