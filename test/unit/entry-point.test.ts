// `pulumi up` starts index.ts with ts-node as Pulumi's runner registers it,
// with the tsconfig Pulumi.yaml names (tools/rehearsal/program-start.ts).
// This starts it the same way in a fresh Node process and checks that the
// start only transpiles (the type check is `npm run build`, which `npm test`
// ran before this file) and that index.ts hands Pulumi the very function the
// Automation API callers (rehearsal, end-to-end tests) run.
import { execFileSync } from "node:child_process";
import { expect, it } from "vitest";
import { programStartScript, pulumiTsconfig, type ProgramStart } from "../../tools/rehearsal/program-start";
import { PROJECT_ROOT } from "../support/stack-files";

function start(tsconfig: string): ProgramStart {
  const out = execFileSync(process.execPath, ["-e", programStartScript(PROJECT_ROOT, tsconfig)], { cwd: PROJECT_ROOT, encoding: "utf8" });
  return JSON.parse(out) as ProgramStart;
}

it("Pulumi.yaml starts the program with tsconfig.pulumi.json", () => {
  expect(pulumiTsconfig(PROJECT_ROOT)).toBe("tsconfig.pulumi.json");
});

it("index.ts, started as pulumi up starts it, transpiles only and exports program.ts's program", () => {
  const started = start(pulumiTsconfig(PROJECT_ROOT));
  // The module itself is the function: `export default` or a named export would give an object here.
  expect({ ...started, ms: undefined }).toEqual({ transpileOnly: true, entryKind: "function", entryIsProgram: true, ms: undefined });
});
