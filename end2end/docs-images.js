#!/usr/bin/env node
// Makes the README's pictures from what the end-to-end suite saw: run the suite first
// (`npx playwright test`, it leaves its screenshots in test-results/), then, from
// end2end/:  node docs-images.js
//
//   ../docs/screenshot.png  the presenter's panel at 1280x800 beside an attendee's phone
//                           (390x844) in the same lab, from 10-at-a-glance.spec.ts
//   ../docs/overlay.png     the stream overlay (a bubbled-up question; a poll) over a
//                           drawn slide, as OBS would mix it, from 12-overlay.spec.ts
//   ../docs/languages.png   the waiting page on a 360x640 phone in Spanish, Portuguese,
//                           German and French, from 15-languages.spec.ts
const fs = require('fs');
const path = require('path');
const { chromium } = require('@playwright/test');

const results = path.join(__dirname, 'test-results');
const docs = path.join(__dirname, '..', 'docs');

function image(name) {
  const file = path.join(results, name);
  if (!fs.existsSync(file)) {
    console.error(`${file} is missing: run the end-to-end suite first`);
    process.exit(2);
  }
  return `data:image/png;base64,${fs.readFileSync(file).toString('base64')}`;
}

// A slide and a camera tile, as a livestream shows them under the overlay.
function frame(overlay) {
  return `<div class="frame">
    <div class="slide">
      <h1>Parallel computing with Dask</h1>
      <pre>import dask.dataframe as dd
df = dd.read_csv("s3://trips/2026-*.csv")
df.groupby("zone").fare.mean().compute()</pre>
    </div>
    <div class="camera"><div class="head"></div><div class="body"></div></div>
    <img class="overlay" src="${overlay}">
  </div>`;
}

const pages = {
  'languages.png': {
    size: { width: 1560, height: 680 },
    html: `<style>
      body { margin: 0; background: #e5e7eb; display: flex; gap: 20px; padding: 20px; }
      img { width: 360px; height: 640px; border-radius: 12px; box-shadow: 0 4px 16px rgba(0,0,0,.2); }
    </style>
    ${['es-ES', 'pt-BR', 'de-DE', 'fr-FR'].map(l => `<img src="${image(`waiting-${l}.png`)}">`).join('')}`,
  },
  'screenshot.png': {
    size: { width: 1536, height: 860 },
    html: `<style>
      body { margin: 0; background: #dfe4ec; font-family: sans-serif; }
      .row { display: flex; gap: 24px; padding: 20px; align-items: flex-start; }
      .laptop { width: 1088px; border-radius: 10px; overflow: hidden; box-shadow: 0 6px 24px rgba(0,0,0,.18); }
      .laptop img { width: 100%; display: block; }
      .phone { width: 372px; border: 8px solid #15171c; border-radius: 28px; overflow: hidden; box-shadow: 0 6px 24px rgba(0,0,0,.25); }
      .phone img { width: 100%; display: block; }
    </style>
    <div class="row">
      <div class="laptop"><img src="${image('presenter-1280x800.png')}"></div>
      <div class="phone"><img src="${image('attendee-lab-390x844.png')}"></div>
    </div>`,
  },
  'overlay.png': {
    size: { width: 1920, height: 540 },
    html: `<style>
      body { margin: 0; display: flex; }
      .frame { position: relative; width: 960px; height: 540px; overflow: hidden;
        background: linear-gradient(135deg, #f7f3ea, #e9eef6); font-family: sans-serif; }
      .slide { position: absolute; inset: 30px 40px; }
      .slide h1 { font-size: 44px; color: #1d3557; margin: 0 0 24px; }
      .slide pre { font-size: 22px; background: #1e2430; color: #d8e1f0; padding: 18px 22px; border-radius: 8px; width: 620px; }
      .camera { position: absolute; right: 24px; bottom: 24px; width: 220px; height: 165px;
        background: linear-gradient(#6b7c93, #3d4a5c); border-radius: 10px; overflow: hidden; }
      .camera .head { position: absolute; left: 80px; top: 34px; width: 60px; height: 60px; border-radius: 50%; background: #e0b897; }
      .camera .body { position: absolute; left: 50px; top: 100px; width: 120px; height: 90px; border-radius: 50% 50% 0 0; background: #2b6cb0; }
      .overlay { position: absolute; inset: 0; width: 960px; height: 540px; }
    </style>
    ${frame(image('overlay-question.png'))}${frame(image('overlay-poll.png'))}`,
  },
};

(async () => {
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run'],
  });
  for (const [name, { size, html }] of Object.entries(pages)) {
    const page = await browser.newPage({ viewport: size });
    await page.setContent(html, { waitUntil: 'load' });
    const out = path.join(docs, name);
    await page.screenshot({ path: out });
    console.log(`${out} (${size.width}x${size.height})`);
    await page.close();
  }
  await browser.close();
})().catch(e => { console.error(e.message); process.exit(1); });
