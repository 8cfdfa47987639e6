'use strict';
// The addon's build id: its package version and a digest of its C sources. binding.gyp compiles it
// into the addon; index.js refuses a binary whose id differs (built from older sources).
const { createHash } = require('node:crypto');
const { readdirSync, readFileSync } = require('node:fs');
const { join } = require('node:path');

function buildId() {
  const hash = createHash('sha256');
  const src = join(__dirname, 'src');
  for (const name of readdirSync(src).filter((n) => /\.[ch]$/.test(n)).sort()) hash.update(name).update(readFileSync(join(src, name)));
  return `${require('./package.json').version}+${hash.digest('hex').slice(0, 12)}`;
}

module.exports = { buildId };
if (require.main === module) process.stdout.write(buildId());
