#!/usr/bin/env node
// `npx safe-deploy ...`: runs the TypeScript command through tsx, no build step.
"use strict";
const major = Number(process.versions.node.split(".")[0]);
if (major < 22) {
  process.stderr.write(`safe-deploy needs Node >= 22 (this is ${process.version}); run it as tools/run npx safe-deploy ...\n`);
  process.exit(64);
}
require("tsx/cjs/api").register();
require("../main.ts").run();
