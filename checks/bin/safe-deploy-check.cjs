#!/usr/bin/env node
// `npx safe-deploy-check ...`: runs the TypeScript checker through tsx, no build step.
"use strict";
const major = Number(process.versions.node.split(".")[0]);
if (major < 22) {
  process.stderr.write(`safe-deploy-check needs Node >= 22 (this is ${process.version}); run it as tools/run npx safe-deploy-check ...\n`);
  process.exit(64);
}
require("tsx/cjs/api").register();
require("../cli.ts").run();
