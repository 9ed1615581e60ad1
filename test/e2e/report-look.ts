// What a person sees of a release report in a real Chromium: the verdict at
// the top in its colour, both charts drawn with data in the tracks' colours,
// the decisions marked inside the charts, and nothing clipped or overflowing.
import { expect } from "vitest";
import { lookAt, pixelsOf } from "../support/chromium";

export interface Seen {
  readonly verdict: string;
  readonly decisions: readonly string[];
  readonly chartPoints: readonly { readonly stable: number; readonly canary: number }[];
}

interface Box {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

interface Layout {
  readonly verdictText: string;
  readonly verdictBox: Box | null;
  readonly charts: readonly { readonly box: Box; readonly stable: number; readonly canary: number; readonly decisions: readonly { readonly text: string; readonly box: Box }[] }[];
  /** Tags of elements whose content is wider than their box: text cut off, or spilling over. */
  readonly overflowing: readonly string[];
  readonly pageWidth: number;
  readonly viewportWidth: number;
}

/** Runs in the page (as text, so the project's types need no DOM library): the layout a person sees. */
const READ_LAYOUT = `(() => {
  const box = (element) => {
    const r = element.getBoundingClientRect();
    return { x: r.x + window.scrollX, y: r.y + window.scrollY, width: r.width, height: r.height };
  };
  const verdict = document.querySelector(".verdict");
  const charts = [...document.querySelectorAll("svg")].map((svg) => ({
    box: box(svg),
    stable: Number(svg.getAttribute("data-points-stable")),
    canary: Number(svg.getAttribute("data-points-canary")),
    decisions: [...svg.querySelectorAll("text.decision")].map((text) => ({ text: text.textContent ?? "", box: box(text) })),
  }));
  const overflowing = [...document.querySelectorAll("body *")]
    .filter((element) => element.clientWidth > 0 && element.scrollWidth > element.clientWidth + 1)
    .map((element) => element.tagName);
  return {
    verdictText: verdict?.querySelector("h1")?.textContent ?? "",
    verdictBox: verdict === null ? null : box(verdict),
    charts,
    overflowing,
    pageWidth: document.documentElement.scrollWidth,
    viewportWidth: window.innerWidth,
  };
})()`;

/** Opens the report, screenshots it to `screenshot`, and asserts what a glance must show; returns what it read. */
export async function expectReadableReport(file: string, screenshot: string, expected: { readonly verdict: RegExp; readonly colour: string; readonly decisions: readonly string[] }): Promise<Seen> {
  return lookAt(file, screenshot, async ({ png, page }) => {
    const layout = (await page.evaluate(READ_LAYOUT)) as Layout;

    // The verdict: first thing on the page, in its colour.
    expect(layout.verdictText).toMatch(expected.verdict);
    const verdictBox = layout.verdictBox!;
    expect(verdictBox.y).toBeLessThan(60);
    expect(pixelsOf(png, expected.colour, verdictBox, 10)).toBeGreaterThan(0.5 * verdictBox.width * verdictBox.height);

    // Two charts, each drawn with both tracks' data (lines in their colours), the decisions marked inside.
    expect(layout.charts).toHaveLength(2);
    for (const chart of layout.charts) {
      expect(chart.stable).toBeGreaterThan(5);
      expect(chart.canary).toBeGreaterThan(2);
      expect(pixelsOf(png, "#1d4ed8", chart.box)).toBeGreaterThan(50);
      expect(pixelsOf(png, "#ea580c", chart.box)).toBeGreaterThan(20);
      expect(chart.decisions.map((d) => d.text)).toEqual(expected.decisions);
      for (const decision of chart.decisions) {
        expect(decision.box.x).toBeGreaterThanOrEqual(chart.box.x);
        expect(decision.box.x + decision.box.width).toBeLessThanOrEqual(chart.box.x + chart.box.width);
      }
    }
    // Nothing clipped, no sideways scrolling.
    expect(layout.overflowing).toEqual([]);
    expect(layout.pageWidth).toBeLessThanOrEqual(layout.viewportWidth);
    return { verdict: layout.verdictText, decisions: layout.charts[0]?.decisions.map((d) => d.text) ?? [], chartPoints: layout.charts.map((c) => ({ stable: c.stable, canary: c.canary })) };
  });
}
