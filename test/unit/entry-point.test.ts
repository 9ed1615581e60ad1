// `pulumi up` compiles index.ts with ts-node, the project's tsconfig.json and
// its own TypeScript, then runs whatever the module exports. This compiles it
// the same way in a fresh Node process and checks that index.ts hands Pulumi
// the very function the Automation API callers (rehearsal, end-to-end tests)
// run. Only the compilation and the export are in question here: `npm test`
// has already typechecked the whole project with tsc, so ts-node only
// transpiles (as `pulumi up` does with PULUMI_NODEJS_TRANSPILE_ONLY=true),
// which takes seconds instead of a second full typecheck. Transpiling file by
// file, TypeScript 6 takes each file's own folder as the common source
// directory and refuses it (TS5011) while tsconfig.json sets outDir without
// rootDir, so rootDir is given here; it moves only emitted paths, and nothing
// is emitted.
import { execFileSync } from "node:child_process";
import * as path from "node:path";
import { expect, it } from "vitest";
import { PROJECT_ROOT } from "../support/stack-files";

it("index.ts, compiled as pulumi up compiles it, exports program.ts's program", () => {
  const script = `
    require("ts-node").register({
      project: ${JSON.stringify(path.join(PROJECT_ROOT, "tsconfig.json"))},
      transpileOnly: true,
      compilerOptions: { rootDir: ${JSON.stringify(PROJECT_ROOT)} },
    });
    const entry = require(${JSON.stringify(path.join(PROJECT_ROOT, "index.ts"))});
    const { program } = require(${JSON.stringify(path.join(PROJECT_ROOT, "program.ts"))});
    process.stdout.write(JSON.stringify({ kind: typeof entry, same: entry === program, name: entry.name }));
  `;
  const out = execFileSync(process.execPath, ["-e", script], { cwd: PROJECT_ROOT, encoding: "utf8" });
  // The module itself is the function: `export default` or a named export would give an object here.
  expect(JSON.parse(out)).toEqual({ kind: "function", same: true, name: "program" });
});
