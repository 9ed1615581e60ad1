// `pulumi up` compiles index.ts with ts-node and the project's own
// tsconfig.json and TypeScript, then runs the function it exports. This
// compiles it the same way, type checking included, in a fresh Node process,
// and checks that index.ts hands Pulumi the very function the Automation API
// callers (rehearsal, end-to-end tests) run.
import { execFileSync } from "node:child_process";
import * as path from "node:path";
import { expect, it } from "vitest";
import { PROJECT_ROOT } from "../support/stack-files";

it("index.ts, compiled as pulumi up compiles it, exports program.ts's program", () => {
  const script = `
    require("ts-node").register({ project: ${JSON.stringify(path.join(PROJECT_ROOT, "tsconfig.json"))}, typeCheck: true });
    const entry = require(${JSON.stringify(path.join(PROJECT_ROOT, "index.ts"))});
    const { program } = require(${JSON.stringify(path.join(PROJECT_ROOT, "program.ts"))});
    process.stdout.write(JSON.stringify({ kind: typeof entry, same: entry === program, name: entry.name }));
  `;
  const out = execFileSync(process.execPath, ["-e", script], { cwd: PROJECT_ROOT, encoding: "utf8" });
  expect(JSON.parse(out)).toEqual({ kind: "function", same: true, name: "program" });
}, 60_000);
