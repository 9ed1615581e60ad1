// tree-clean and release-tagged against real repositories: clean, dirty,
// untracked; a lightweight tag (refused), an annotated tag, a tag on another
// commit; and a directory that is no repository (unknown, never pass).
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { checklistSchema } from "../../config/checklist";
import { gatherChecklist } from "../../checklist/gather";
import type { GatheredChecklist, ReleaseItem } from "../../checklist/item";
import { useTempRepos } from "./support/git-repos";

const newRepo = useTempRepos();
const config = checklistSchema.parse({ git: {} });

async function gitItems(projectDir: string): Promise<{ checklist: GatheredChecklist; item: (name: ReleaseItem) => GatheredChecklist["release"][number] }> {
  const checklist = await gatherChecklist(config, { namespace: "production", services: [] }, { projectDir, deployedBy: "test" });
  const item = (name: ReleaseItem) => {
    const found = checklist.release.find((r) => r.item === name);
    if (found === undefined) throw new Error(`no ${name}`);
    return found;
  };
  return { checklist, item };
}

describe("git source", () => {
  it("a clean tree with an annotated tag at HEAD passes both, and gives the commit and the tag", async () => {
    const repo = newRepo();
    repo.git("tag", "-a", "v2.4.0", "-m", "Release v2.4.0");
    const head = repo.git("rev-parse", "HEAD");
    const { checklist, item } = await gitItems(repo.dir);
    expect(item("tree-clean")).toMatchObject({ status: "pass", reason: `the working tree is clean at ${head.slice(0, 12)}`, source: `git ${repo.dir}` });
    expect(item("release-tagged")).toMatchObject({ status: "pass", reason: `${head.slice(0, 12)} carries the annotated tag v2.4.0` });
    expect(checklist.facts).toMatchObject({ commit: head, tag: "v2.4.0" });
  });

  it("a modified file fails tree-clean, naming it", async () => {
    const repo = newRepo();
    repo.write("README.md", "# app, edited\n");
    const { item } = await gitItems(repo.dir);
    expect(item("tree-clean").status).toBe("fail");
    expect(item("tree-clean").reason).toContain("README.md (modified)");
  });

  it("an untracked file fails tree-clean too", async () => {
    const repo = newRepo();
    repo.write("notes.txt", "left behind\n");
    const { item } = await gitItems(repo.dir);
    expect(item("tree-clean").status).toBe("fail");
    expect(item("tree-clean").reason).toContain("notes.txt (untracked)");
  });

  it("an untracked file in a new directory is named by its path, not hidden in the directory", async () => {
    const repo = newRepo();
    repo.git("tag", "-a", "v1.0.0", "-m", "Release v1.0.0");
    fs.mkdirSync(path.join(repo.dir, "build"));
    repo.write("build/out.js", "x\n");
    const { item } = await gitItems(repo.dir);
    expect(item("tree-clean").reason).toContain("build/out.js (untracked)");
  });

  it("refuses a lightweight tag at HEAD", async () => {
    const repo = newRepo();
    repo.git("tag", "v2.4.0");
    const { checklist, item } = await gitItems(repo.dir);
    expect(item("release-tagged").status).toBe("fail");
    expect(item("release-tagged").reason).toContain("carries only the lightweight tag v2.4.0");
    expect(item("release-tagged").fix).toContain("git tag -a v2.4.0");
    expect(checklist.facts.tag).toBeUndefined();
  });

  it("refuses an annotated tag on another commit, naming it", async () => {
    const repo = newRepo();
    repo.git("tag", "-a", "v2.3.1", "-m", "Release v2.3.1");
    repo.write("src.txt", "new work\n");
    const head = repo.commit("new work");
    const { item } = await gitItems(repo.dir);
    expect(item("release-tagged")).toMatchObject({ status: "fail", reason: `${head.slice(0, 12)} carries no tag; the latest tag, v2.3.1, is on an earlier commit` });
    expect(item("tree-clean").status).toBe("pass");
  });

  it("is unknown, with git's words, in a directory that is no repository", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "safe-deploy-not-a-repo-"));
    try {
      const { checklist, item } = await gitItems(dir);
      for (const name of ["tree-clean", "release-tagged"] as const) {
        expect(item(name).status).toBe("unknown");
        expect(item(name).reason).toMatch(/not a git repository/i);
      }
      expect(checklist.facts.commit).toBeUndefined();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
