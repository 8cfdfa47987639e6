'use strict';
// The compiled addon (built by `node-gyp rebuild` when npm installs this package).
// Requiring this file throws when the build did not happen or failed; the course
// then uses its pure-wasm kernels (see src/kernels/native_blas.ts).
module.exports = require('./build/Release/course_blas.node');
