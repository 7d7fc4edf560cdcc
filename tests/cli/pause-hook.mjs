/**
 * A test-only preload (`node --import pause-hook.mjs layerkit.js …`) that holds the CLI at a
 * chosen point of its work, so a test can act there on every run however loaded the machine is
 * (no polling for a temp file, no race with the operation's end).
 *
 * The first time the process opens a path matching the regular expression in
 * `LAYERKIT_TEST_PAUSE_AT`, the hook writes `paused <path>\n` to file descriptor 3 (a pipe from
 * the test) and blocks in a read of fd 3 until the test writes a byte back; then the open
 * returns as usual. The CLI's bundle imports `openSync` from `node:fs` as an ES module binding,
 * so the patched function is published to ES modules with `syncBuiltinESMExports()`.
 */
import fs from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';

const CONTROL_FD = 3;
const pattern = new RegExp(process.env.LAYERKIT_TEST_PAUSE_AT ?? '(?!)');
const openSync = fs.openSync;
let held = false;

/** Blocks until the test answers on the control pipe; the pipe closing means the test is gone. */
function waitForTest() {
  const answer = Buffer.alloc(1);
  for (;;) {
    try {
      if (fs.readSync(CONTROL_FD, answer, 0, 1, null) === 0) process.exit(125);
      return;
    } catch (error) {
      if (error.code !== 'EAGAIN' && error.code !== 'EINTR') throw error;
    }
  }
}

fs.openSync = function openSyncHeld(path, ...rest) {
  const fd = openSync.call(this, path, ...rest);
  if (!held && pattern.test(String(path))) {
    held = true;
    fs.writeSync(CONTROL_FD, `paused ${String(path)}\n`);
    waitForTest();
  }
  return fd;
};
syncBuiltinESMExports();
