// The GitHub Actions workflows in .github/workflows/ lint clean with actionlint (pinned in
// tools/toolchain/versions.env, built by tools/toolchain/ensure.sh): GitHub finds a bad expression, an
// unknown runner label or a wrong action input only when the workflow runs (or is refused), so here is
// where they are caught first. shellcheck checks `run:` scripts when it is on PATH; it is not required.
// A missing actionlint fails, naming ensure.sh: .ci/run and README's test command run it before `npm test`.
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { toolchainBin, toolchainPresent, WORKFLOW_LINT_PIECES } from "../../tools/toolchain/paths";
import { PROJECT_ROOT } from "../support/stack-files";

const WORKFLOWS = path.join(".github", "workflows");

interface Lint {
  /** actionlint's exit code: 0 clean, 1 problems found, 2 bad arguments, 3 fatal. */
  readonly status: number | null;
  /** stdout and stderr together. */
  readonly output: string;
}

/** `actionlint -no-color FILE...` in `cwd`, with this process's PATH (where it looks for shellcheck). */
function actionlint(cwd: string, files: readonly string[]): Lint {
  const present = toolchainPresent(WORKFLOW_LINT_PIECES);
  if (!present.ok) throw new Error(present.message);
  const ran = spawnSync(toolchainBin("actionlint"), ["-no-color", ...files], { cwd, encoding: "utf8", timeout: 20_000 });
  if (ran.error !== undefined) throw ran.error;
  return { status: ran.status, output: `${ran.stdout}${ran.stderr}` };
}

/** The workflow files (`*.yml`, `*.yaml`) under `root`'s .github/workflows/, relative to `root`. */
function workflowFiles(root: string): string[] {
  const dir = path.join(root, WORKFLOWS);
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((name) => /\.ya?ml$/.test(name))
    .sort()
    .map((name) => path.join(WORKFLOWS, name));
}

/** actionlint over every workflow file under `root`, from `root` (so it finds a .github/actionlint.yaml there). */
function lintWorkflows(root: string): Lint & { readonly files: readonly string[] } {
  const files = workflowFiles(root);
  expect(files, `no *.yml or *.yaml in ${path.join(root, WORKFLOWS)}`).not.toEqual([]);
  return { ...actionlint(root, files), files };
}

const GOOD_WORKFLOW = `name: check
on:
  pull_request:
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: echo "PR \${{ github.event.pull_request.number }}"
`;

/** A temporary repository root holding `text` as .github/workflows/`name`. */
function tree(name: string, text: string): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "safe-deploy-workflows-"));
  fs.mkdirSync(path.join(root, WORKFLOWS), { recursive: true });
  fs.writeFileSync(path.join(root, WORKFLOWS, name), text);
  return root;
}

describe("the GitHub Actions workflows", () => {
  it("every workflow in .github/workflows/ lints clean with actionlint", () => {
    const lint = lintWorkflows(PROJECT_ROOT);
    expect({ status: lint.status, output: lint.output }, `actionlint -no-color ${lint.files.join(" ")} says:\n${lint.output}`).toEqual({
      status: 0,
      output: "",
    });
  });

  describe("the check itself, on workflows in a temporary directory", () => {
    const roots: string[] = [];
    afterAll(() => roots.forEach((root) => fs.rmSync(root, { recursive: true, force: true })));
    const lintOne = (name: string, text: string): Lint => {
      const root = tree(name, text);
      roots.push(root);
      return lintWorkflows(root);
    };

    it("passes a minimal valid workflow", () => {
      const lint = lintOne("good.yml", GOOD_WORKFLOW);
      expect({ status: lint.status, output: lint.output }, lint.output).toEqual({ status: 0, output: "" });
    });

    it("fails a workflow with an unknown runner label and a misspelt expression, naming both", () => {
      const broken = GOOD_WORKFLOW.replace("ubuntu-latest", "ubuntu-lastest").replace("github.event.", "github.evnt.");
      const lint = lintOne("broken.yml", broken);
      expect(lint.status, lint.output).toBe(1);
      expect(lint.output).toContain(`${path.join(WORKFLOWS, "broken.yml")}:6:14: label "ubuntu-lastest" is unknown`);
      expect(lint.output).toContain(`property "evnt" is not defined`);
    });
  });
});
