// Loaded by this checkout's kernel before tslab (node --require, build/jupyter/kernels/tslab/kernel.json).
// zeromq.js delays a send after 512 in a row without a turn of the event loop, and a socket with a
// delayed send throws EBUSY ("Socket is busy writing") at the next one: a cell that outputs in bursts
// failed, and a status message tslab sent meanwhile killed the kernel. Jupyter's IOPub channel is a
// publisher, whose sends never wait (ZeroMQ drops at the high-water mark instead), so with a send
// timeout of 0 zeromq.js sends each one at once and is never busy.
const { createRequire } = require('node:module');
const { join } = require('node:path');

const fromTslab = createRequire(require.resolve('tslab/package.json', { paths: [join(__dirname, '..')] }));
const { Publisher } = fromTslab('zeromq');
const send = Publisher.prototype.send;
// Defined, not assigned: the native send it shadows is read-only.
Object.defineProperty(Publisher.prototype, 'send', {
  configurable: true,
  writable: true,
  /** @param {unknown} message */
  value: function sendAtOnce(message) {
    if (this.sendTimeout !== 0) this.sendTimeout = 0;
    return send.call(this, message);
  },
});
