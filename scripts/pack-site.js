#!/usr/bin/env node
// Lays out the built site for serving: each file of the bundles and the stylesheet under
// pkg/ with a content hash in its name (so browsers may keep it for good), a brotli and
// a gzip copy beside it, public/ at the root, and assets.json naming what pages load.
// Node's own zlib and crypto; nothing to install.   Used by scripts/build-site:
//   node scripts/pack-site.js BUILT_DIR SITE_DIR PUBLIC_DIR
const crypto = require('crypto');
const fs = require('fs');
const path = require('path');
const zlib = require('zlib');

const [built, site, publicDir] = process.argv.slice(2);
if (!built || !site || !publicDir) {
  console.error('usage: pack-site.js BUILT_DIR SITE_DIR PUBLIC_DIR');
  process.exit(2);
}

const pkg = path.join(site, 'pkg');
fs.mkdirSync(pkg, { recursive: true });
// The files this build names; anything else in pkg/ is from an earlier build.
const current = new Set();

/** Writes `bytes` as `name` in `dir` with its .br and .gz copies; returns the sizes. */
function writeCompressed(dir, name, bytes) {
  fs.writeFileSync(path.join(dir, name), bytes);
  const br = zlib.brotliCompressSync(bytes, {
    params: {
      [zlib.constants.BROTLI_PARAM_QUALITY]: zlib.constants.BROTLI_MAX_QUALITY,
      [zlib.constants.BROTLI_PARAM_LGWIN]: 24,
      [zlib.constants.BROTLI_PARAM_SIZE_HINT]: bytes.length,
    },
  });
  const gz = zlib.gzipSync(bytes, { level: 9 });
  fs.writeFileSync(path.join(dir, `${name}.br`), br);
  fs.writeFileSync(path.join(dir, `${name}.gz`), gz);
  return { raw: bytes.length, br: br.length, gz: gz.length };
}

/** Copies `file` into pkg/ as `stem-<hash>.ext`; returns its address. */
function hashed(file, stem, ext) {
  const bytes = fs.readFileSync(path.join(built, file));
  const hash = crypto.createHash('sha256').update(bytes).digest('hex').slice(0, 16);
  const name = `${stem}-${hash}.${ext}`;
  for (const file of [name, `${name}.br`, `${name}.gz`]) current.add(file);
  // Same hash, same bytes: a rebuild with nothing changed compresses nothing again.
  const done = ['', '.br', '.gz'].every(suffix => fs.existsSync(path.join(pkg, name + suffix)));
  const sizes = done
    ? Object.fromEntries([['raw', ''], ['br', '.br'], ['gz', '.gz']].map(([k, suffix]) => [k, fs.statSync(path.join(pkg, name + suffix)).size]))
    : writeCompressed(pkg, name, bytes);
  const kib = n => `${(n / 1024).toFixed(1)} KiB`;
  console.log(`  pkg/${name}: ${kib(sizes.raw)}, ${kib(sizes.br)} brotli, ${kib(sizes.gz)} gzip`);
  return `/pkg/${name}`;
}

const bundle = name => ({ js: hashed(`${name}.js`, name, 'js'), wasm: hashed(`${name}_bg.wasm`, name, 'wasm') });
const assets = {
  css: hashed('lectern.css', 'lectern', 'css'),
  attendee: bundle('attendee'),
  staff: bundle('staff'),
};

for (const entry of fs.readdirSync(publicDir)) {
  const bytes = fs.readFileSync(path.join(publicDir, entry));
  if (/\.(svg|txt|json|xml|html)$/.test(entry)) writeCompressed(site, entry, bytes);
  else fs.writeFileSync(path.join(site, entry), bytes);
}
fs.writeFileSync(path.join(site, 'assets.json'), `${JSON.stringify(assets, null, 2)}\n`);
for (const file of fs.readdirSync(pkg)) {
  if (!current.has(file)) fs.rmSync(path.join(pkg, file));
}
console.log(`  ${path.join(site, 'assets.json')} names them`);
