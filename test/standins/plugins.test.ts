// The plugin scripts the engine finds on PATH: each starts its stand-in from
// whatever directory the engine runs it in. No cluster needed.
import { spawn } from "node:child_process";
import { accessSync, constants } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, dirname, join } from "node:path";
import { describe, expect, it } from "vitest";

const BIN = join(__dirname, "bin");

/** Starts a plugin script in another directory and resolves with the first line it prints (the port it serves on). */
function firstLine(script: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(join(BIN, script), [], {
      cwd: tmpdir(),
      env: { ...process.env, PATH: [dirname(process.execPath), process.env["PATH"] ?? ""].join(delimiter) },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    let err = "";
    child.stdout.on("data", (chunk: Buffer) => {
      out += chunk.toString("utf8");
      if (out.includes("\n")) {
        child.kill();
        resolve(out.split("\n")[0] ?? "");
      }
    });
    child.stderr.on("data", (chunk: Buffer) => {
      err += chunk.toString("utf8");
    });
    child.on("exit", (code) => {
      if (!out.includes("\n")) reject(new Error(`${script} exited (${String(code)}) before printing a port: ${err}`));
    });
  });
}

describe("the stand-in plugin scripts", () => {
  it.each(["pulumi-resource-kubernetes", "pulumi-resource-command"])("%s starts from any directory and prints the port it serves on", async (script) => {
    expect(await firstLine(script)).toMatch(/^\d+$/);
  }, 20_000);

  it("pulumi-analyzer-policy-nodejs is there and executable", () => {
    expect(() => accessSync(join(BIN, "pulumi-analyzer-policy-nodejs"), constants.X_OK)).not.toThrow();
  });
});
