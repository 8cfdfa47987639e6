'use strict';
// The compiled addon (built by `node-gyp rebuild` when npm installs this package). Requiring this
// file throws when the build did not happen or failed, and when the binary was built from other
// sources than these (a stale build); the course then uses its pure-wasm kernels and says why
// (src/kernels/native-blas.ts).
const { buildId } = require('./build-id.js');

const binding = require('./build/Release/course_blas.node');
const expected = buildId();
const built = typeof binding.buildId === 'string' ? binding.buildId : 'an unversioned build';
if (built !== expected) {
  throw new Error(`course-blas is a stale build (${built}; its sources are ${expected}): run npm ci, or npm run setup, to rebuild it`);
}
module.exports = binding;
