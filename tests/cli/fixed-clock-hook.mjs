/**
 * A test-only preload (`node --import fixed-clock-hook.mjs layerkit.js …`) that fixes the CLI's
 * clock at `LAYERKIT_TEST_NOW` (an ISO 8601 instant): `Date.now()` and `new Date()` return it, so
 * output relative to now (`layerkit images`' CREATED, "2 hours ago") can be a golden file.
 */
const now = Date.parse(process.env.LAYERKIT_TEST_NOW ?? '');
if (Number.isNaN(now)) throw new Error('fixed-clock-hook.mjs: set LAYERKIT_TEST_NOW to an ISO 8601 instant');

const RealDate = Date;
class FixedDate extends RealDate {
  constructor(...args) {
    if (args.length === 0) super(now);
    else super(...args);
  }
  static now() {
    return now;
  }
}
globalThis.Date = FixedDate;
