// The printed-command runner, without a cluster or an engine: the `pulumi up`
// part's flags checked as the Pulumi CLI checks them in a shell without a
// terminal, and each part routed where it runs (a fake engine records the
// Automation API calls; a fake `pulumi` on PATH records the shell parts).
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { Stack } from "@pulumi/pulumi/automation";
import { afterAll, describe, expect, it } from "vitest";
import { commandParts, isPulumiUp, parsePulumiUp, runCommandLine } from "./command-line";
import type { EngineStack } from "./engine";

describe("parsePulumiUp", () => {
  it("runs stack.up() for --stack X --yes", () => {
    expect(parsePulumiUp("pulumi up --stack production --yes")).toEqual({ stack: "production", operation: "preview-then-up" });
  });

  it("takes the short forms -s X and -y", () => {
    expect(parsePulumiUp("pulumi up -s staging -y")).toEqual({ stack: "staging", operation: "preview-then-up" });
  });

  it("takes --stack=X", () => {
    expect(parsePulumiUp("pulumi up --stack=production --yes")).toEqual({ stack: "production", operation: "preview-then-up" });
  });

  it("takes the flags in any order", () => {
    expect(parsePulumiUp("pulumi up --yes --stack production")).toEqual({ stack: "production", operation: "preview-then-up" });
  });

  it("runs stack.up() for --skip-preview without --yes, which the CLI treats as --yes", () => {
    expect(parsePulumiUp("pulumi up --skip-preview --stack production")).toEqual({ stack: "production", operation: "up" });
  });

  it("takes -f for --skip-preview", () => {
    expect(parsePulumiUp("pulumi up -f -s production")).toEqual({ stack: "production", operation: "up" });
  });

  it("runs stack.preview() for --preview-only", () => {
    expect(parsePulumiUp("pulumi up --stack production --preview-only")).toEqual({ stack: "production", operation: "preview" });
  });

  it("fails without --yes, --skip-preview or --preview-only, with the CLI's non-interactive error", () => {
    expect(() => parsePulumiUp("pulumi up --stack production")).toThrow(
      new Error(
        "'pulumi up --stack production' failed: error: --yes or --skip-preview or --preview-only must be passed in to proceed when running in non-interactive mode",
      ),
    );
  });

  it("fails for --skip-preview with --preview-only, as the CLI does", () => {
    expect(() => parsePulumiUp("pulumi up --stack production --skip-preview --preview-only")).toThrow(
      "error: --skip-preview and --preview-only cannot be used together",
    );
  });

  it("fails for --yes with --preview-only, as the CLI does", () => {
    expect(() => parsePulumiUp("pulumi up --stack production --yes --preview-only")).toThrow(
      "error: --yes and --preview-only cannot be used together",
    );
  });

  it("refuses a flag it does not know, rather than ignore it", () => {
    expect(() => parsePulumiUp("pulumi up --stack production --yes --refresh")).toThrow(
      "refusing to run 'pulumi up --stack production --yes --refresh': unknown flag '--refresh'",
    );
  });

  it("hands the policy pack flags to the CLI as printed, each with its path", () => {
    expect(parsePulumiUp("pulumi up --stack production --yes --policy-pack policy --policy-pack-config policy/config/production.json")).toEqual({ stack: "production", operation: "preview-then-up" });
    expect(() => parsePulumiUp("pulumi up --stack production --yes --policy-pack")).toThrow("--policy-pack needs a path");
  });

  it("refuses a combined short flag, which it does not split", () => {
    expect(() => parsePulumiUp("pulumi up -s production -yf")).toThrow("unknown flag '-yf'");
  });

  it("refuses an argument (the CLI's template or URL)", () => {
    expect(() => parsePulumiUp("pulumi up production --yes")).toThrow("unexpected argument 'production'");
  });

  it("refuses --stack without a name at the end", () => {
    expect(() => parsePulumiUp("pulumi up --yes --stack")).toThrow("--stack needs a stack name");
  });

  it("refuses --stack followed by a flag instead of a name", () => {
    expect(() => parsePulumiUp("pulumi up --stack --yes")).toThrow("--stack needs a stack name");
  });

  it("refuses a line that names no stack", () => {
    expect(() => parsePulumiUp("pulumi up --yes")).toThrow("it names no stack");
  });

  it("refuses a line that names two different stacks", () => {
    expect(() => parsePulumiUp("pulumi up -s staging --stack production --yes")).toThrow("more than one stack (staging, production)");
  });

  it("refuses shell quoting it would have to interpret", () => {
    expect(() => parsePulumiUp("pulumi up --stack 'production' --yes")).toThrow("shell syntax");
  });
});

describe("isPulumiUp", () => {
  it("is true for a pulumi up part and false for pulumi config set and set-all parts", () => {
    expect([
      isPulumiUp("pulumi up --stack production --yes"),
      isPulumiUp("pulumi config set --path 'services[1].liveSlot' blue --stack production"),
      isPulumiUp("pulumi config set-all --path --plaintext a=b --stack production"),
    ]).toEqual([true, false, false]);
  });
});

describe("commandParts", () => {
  it("splits a printed line at ' && '", () => {
    expect(commandParts("pulumi config set --path 'services[2].canaryWeight' 0 --stack production && pulumi up --stack production --yes")).toEqual([
      "pulumi config set --path 'services[2].canaryWeight' 0 --stack production",
      "pulumi up --stack production --yes",
    ]);
  });
});

describe("runCommandLine, with a fake engine and a fake pulumi", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "safe-deploy-command-line-"));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  // A `pulumi` that appends its arguments to calls.log, standing in for the CLI's config commands.
  const bin = path.join(dir, "bin");
  fs.mkdirSync(bin);
  fs.writeFileSync(path.join(bin, "pulumi"), '#!/bin/sh\necho "$*" >> calls.log\necho ok\n', { mode: 0o755 });

  function fakeEngine(): { engine: EngineStack; calls: string[] } {
    const calls: string[] = [];
    const stack = {
      name: "production",
      up: async () => (calls.push("up"), { stdout: "up done" }),
      preview: async () => (calls.push("preview"), { stdout: "preview done" }),
    };
    const engine: EngineStack = {
      // Only name, up and preview are used by runCommandLine; a real Stack needs a Pulumi workspace.
      stack: stack as unknown as Stack,
      workDir: dir,
      env: { PATH: `${bin}${path.delimiter}${process.env["PATH"] ?? ""}` },
      cli: async () => ({ stdout: "", stderr: "" }),
    };
    return { engine, calls };
  }

  it("runs pulumi up --preview-only through /bin/sh as printed, with the in-process language host's --client added", async () => {
    const { engine, calls } = fakeEngine();
    fs.rmSync(path.join(dir, "calls.log"), { force: true });
    const steps = await runCommandLine("pulumi up --stack production --preview-only", engine);
    expect({ calls, steps: steps.map((s) => [s.ranAs, s.operation, s.stdout]) }).toEqual({
      calls: [],
      steps: [["pulumi-up", "preview", "ok\n"]],
    });
    expect(fs.readFileSync(path.join(dir, "calls.log"), "utf8")).toMatch(/^up --stack production --preview-only --client=127\.0\.0\.1:\d+\n$/);
  });

  it("stops at a pulumi up without --yes, after the parts before it ran, and never calls stack.up()", async () => {
    const { engine, calls } = fakeEngine();
    fs.rmSync(path.join(dir, "calls.log"), { force: true });
    await expect(runCommandLine("pulumi config set --path 'services[1].liveSlot' blue --stack production && pulumi up --stack production", engine)).rejects.toThrow(
      "'pulumi up --stack production' failed: error: --yes or --skip-preview or --preview-only must be passed in to proceed when running in non-interactive mode",
    );
    expect({ calls, shell: fs.readFileSync(path.join(dir, "calls.log"), "utf8") }).toEqual({
      calls: [],
      shell: "config set --path services[1].liveSlot blue --stack production\n",
    });
  });

  it("runs pulumi config set-all parts through /bin/sh, then pulumi up --yes through /bin/sh too, never through the Automation API", async () => {
    const { engine, calls } = fakeEngine();
    fs.rmSync(path.join(dir, "calls.log"), { force: true });
    const steps = await runCommandLine(
      "pulumi config set-all --path --plaintext 'services[0].version=v2.3.1' --plaintext 'services[0].previousVersion=v2.4.0' --stack production && pulumi up --stack production --yes",
      engine,
    );
    expect({ calls, ranAs: steps.map((s) => s.ranAs) }).toEqual({ calls: [], ranAs: ["shell", "pulumi-up"] });
    expect(fs.readFileSync(path.join(dir, "calls.log"), "utf8").split("\n")).toEqual([
      "config set-all --path --plaintext services[0].version=v2.3.1 --plaintext services[0].previousVersion=v2.4.0 --stack production",
      expect.stringMatching(/^up --stack production --yes --client=127\.0\.0\.1:\d+$/),
      "",
    ]);
  });

  it("refuses a pulumi up for another stack than the engine's", async () => {
    const { engine, calls } = fakeEngine();
    await expect(runCommandLine("pulumi up --stack staging --yes", engine)).rejects.toThrow("is for stack staging, but this engine runs production");
    expect(calls).toEqual([]);
  });
});
