// The Command stand-in (`command:local:Command`), called directly. No cluster needed.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { JsonObject } from "./shared/json";
import { makeSecret } from "./shared/secrets";
import { COMMAND_PROVIDER_VERSION, commandProvider } from "./command/provider";

const provider = commandProvider();
const URN = "urn:pulumi:dev::safe-deploy::safe-deploy:checks:PreDeploymentChecks$command:local:Command::ci-status";

async function create(inputs: JsonObject): Promise<{ id: string; outs: JsonObject }> {
  const result = await provider.create?.(URN, inputs);
  if (result === undefined) throw new Error("the provider has no create");
  return { id: result.id, outs: result.outs as JsonObject };
}

async function update(olds: JsonObject, news: JsonObject): Promise<JsonObject> {
  return (await provider.update?.("id", URN, olds, news))?.outs as JsonObject;
}

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "standin-command-"));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe("the Command stand-in", () => {
  it("reports the version the @pulumi/command SDK asks for", () => {
    expect(provider.version).toBe(COMMAND_PROVIDER_VERSION);
    expect(COMMAND_PROVIDER_VERSION).toBe("4.5.0");
  });

  it("runs create with /bin/sh -c and returns stdout and stderr without one trailing newline", async () => {
    const { id, outs } = await create({ create: "printf 'v2.4.0\\n\\n'; echo warn >&2" });

    expect(id).toMatch(/^ci-status[0-9a-f]{8}$/);
    expect(outs["stdout"]).toBe("v2.4.0\n");
    expect(outs["stderr"]).toBe("warn");
    expect(outs["create"]).toBe("printf 'v2.4.0\\n\\n'; echo warn >&2");
  });

  it("passes environment, dir and stdin to the command", async () => {
    const { outs } = await create({ create: 'echo "$SERVICE@$(pwd)"; cat', environment: { SERVICE: "user-api" }, dir, stdin: "from stdin" });

    expect(outs["stdout"]).toBe(`user-api@${dir}\nfrom stdin`);
  });

  it("runs the command with the given interpreter instead of /bin/sh -c", async () => {
    const { outs } = await create({ create: "console.log(6 * 7)", interpreter: [process.execPath, "-e"] });

    expect(outs["stdout"]).toBe("42");
  });

  it("fails on a non-zero exit with the exit status, the command and its output", async () => {
    await expect(create({ create: "echo checking; echo 'CI failed' >&2; exit 3" })).rejects.toThrow(
      'exit status 3: running "echo checking; echo \'CI failed\' >&2; exit 3":\nchecking\nCI failed\n',
    );
  });

  it("replaces the resource when triggers change and updates it when only create changes", async () => {
    const old = { create: "echo a", triggers: ["v1"], stdout: "a", stderr: "" };

    const retriggered = await provider.diff?.("id", URN, old, { create: "echo a", triggers: ["v2"] });
    const edited = await provider.diff?.("id", URN, old, { create: "echo b", triggers: ["v1"] });
    const same = await provider.diff?.("id", URN, old, { create: "echo a", triggers: ["v1"] });

    expect(retriggered).toEqual({ changes: true, replaces: ["triggers"], deleteBeforeReplace: false });
    expect(edited).toEqual({ changes: true, replaces: [], deleteBeforeReplace: false });
    expect(same?.changes).toBe(false);
  });

  it("runs update on update, with the previous stdout in PULUMI_COMMAND_STDOUT", async () => {
    const { outs } = await create({ create: "echo first", update: 'echo "after $PULUMI_COMMAND_STDOUT"' });

    const updated = await update(outs, { create: "echo first", update: 'echo "after $PULUMI_COMMAND_STDOUT"', environment: { X: "1" } });

    expect(updated["stdout"]).toBe("after first");
  });

  it("runs create again on update when update is not set", async () => {
    const { outs } = await create({ create: "echo one" });

    const updated = await update(outs, { create: "echo two" });

    expect(updated["stdout"]).toBe("two");
  });

  it("runs delete with the last stdout and stderr in PULUMI_COMMAND_STDOUT and PULUMI_COMMAND_STDERR", async () => {
    const record = join(dir, "deleted");
    const { id, outs } = await create({
      create: "echo out; echo err >&2",
      delete: `echo "$PULUMI_COMMAND_STDOUT/$PULUMI_COMMAND_STDERR" > '${record}'`,
    });

    await provider.delete?.(id, URN, outs);

    expect(readFileSync(record, "utf8")).toBe("out/err\n");
  });

  it("runs secret inputs in the clear and returns them, stdout and stderr as secrets", async () => {
    const { outs } = await create({ create: 'echo "token=$TOKEN"', environment: { TOKEN: makeSecret("s3cr3t") } });

    expect(outs["environment"]).toEqual({ TOKEN: makeSecret("s3cr3t") });
    expect(outs["stdout"]).toEqual(makeSecret("token=s3cr3t"));
    expect(outs["stderr"]).toEqual(makeSecret(""));
  });

  it("quotes neither the command nor its output in the error when an input is secret", async () => {
    const failing = create({ create: makeSecret("echo s3cr3t; exit 1") });

    await expect(failing).rejects.toThrow("exit status 1: running [secret]:\n[secret output]");
  });

  it("refuses types other than command:local:Command", async () => {
    await expect(provider.check?.("urn:pulumi:dev::p::command:remote:Command::x", {}, {})).rejects.toThrow("command:remote:Command");
  });
});
