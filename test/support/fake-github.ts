// A loopback server that answers a pull request's comments as GitHub's REST
// API does (list with per_page and a Link header, create 201, update 200,
// 401 without the token), keeping the comments, so a test sees what a
// reviewer would.
import { startServer, type LoopbackServer, type Reply } from "../checks/loopback-server";

export interface FakeComment {
  id: number;
  body: string;
  user: { login: string };
}

export interface FakeGithub {
  readonly server: LoopbackServer;
  readonly url: string;
  /** Comments by pull request number. */
  readonly comments: Map<number, FakeComment[]>;
  /** How the next requests are answered: as GitHub, with a 502, or never. */
  mode: "github" | "fail" | "hang";
}

export async function startFakeGithub(owner: string, repo: string, token: string): Promise<FakeGithub> {
  const comments = new Map<number, FakeComment[]>();
  let nextId = 1000;
  const fake: { server?: LoopbackServer; mode: FakeGithub["mode"] } = { mode: "github" };
  const html = (number: number, id: number) => `https://github.com/${owner}/${repo}/pull/${number}#issuecomment-${id}`;
  const server = await startServer((request): Reply => {
    if (fake.mode === "hang") return { status: 200, hang: true };
    if (fake.mode === "fail") return { status: 502, body: { message: "Server Error" } };
    if (request.headers.authorization !== `token ${token}`) return { status: 401, body: { message: "Bad credentials", documentation_url: "https://docs.github.com/rest" } };
    const url = new URL(request.path, "http://localhost");
    const list = /^\/repos\/([^/]+)\/([^/]+)\/issues\/(\d+)\/comments$/.exec(url.pathname);
    const one = /^\/repos\/([^/]+)\/([^/]+)\/issues\/comments\/(\d+)$/.exec(url.pathname);
    if ((list?.[1] ?? one?.[1]) !== owner || (list?.[2] ?? one?.[2]) !== repo) return { status: 404, body: { message: "Not Found" } };
    if (list !== null) {
      const number = Number(list[3]);
      const all = comments.get(number) ?? [];
      if (request.method === "GET") {
        const perPage = Number(url.searchParams.get("per_page") ?? 30);
        const page = Number(url.searchParams.get("page") ?? 1);
        const slice = all.slice((page - 1) * perPage, page * perPage);
        const last = Math.max(1, Math.ceil(all.length / perPage));
        const link: Record<string, string> = page < last ? { link: `<${fake.server?.url}${url.pathname}?per_page=${perPage}&page=${page + 1}>; rel="next", <${fake.server?.url}${url.pathname}?per_page=${perPage}&page=${last}>; rel="last"` } : {};
        return { status: 200, body: slice.map((c) => ({ ...c, html_url: html(number, c.id) })), headers: link };
      }
      if (request.method === "POST") {
        const comment = { id: nextId++, body: (JSON.parse(request.body) as { body: string }).body, user: { login: "github-actions[bot]" } };
        comments.set(number, [...all, comment]);
        return { status: 201, body: { ...comment, html_url: html(number, comment.id) } };
      }
    }
    if (one !== null && request.method === "PATCH") {
      const id = Number(one[3]);
      for (const [number, all] of comments) {
        const comment = all.find((c) => c.id === id);
        if (comment !== undefined) {
          comment.body = (JSON.parse(request.body) as { body: string }).body;
          return { status: 200, body: { ...comment, html_url: html(number, id) } };
        }
      }
      return { status: 404, body: { message: "Not Found" } };
    }
    return { status: 404, body: { message: "Not Found" } };
  });
  fake.server = server;
  return {
    server,
    url: server.url,
    comments,
    get mode() {
      return fake.mode;
    },
    set mode(mode) {
      fake.mode = mode;
    },
  };
}
