// The built-in PDF viewer, the search box's "Everything" toggle and the background indexing's
// progress, in headless Chromium over the fake backend: pdf.js really renders a PDF the fake
// sends by attachment id, and the matched words are marked in its text layer.
import assert from "node:assert/strict";
import { beforeEach, describe, test } from "node:test";
import { join } from "node:path";
import { SHOTS, useHarness } from "./support.mjs";

const ui = useHarness();
const { errors, calls, waitRows, toasts } = ui;
let page;
beforeEach(() => (page = ui.page));

/** Steen 2020 with an indexed PDF attached, selected. */
async function itemWithPdf() {
  await waitRows(4);
  await page.click(".tr[data-key=steen2020] .td");
  await page.evaluate(() => (window.__fake.openPaths = ["/papers/Steen 2020.pdf", "/papers/notes.txt"]));
  await page.click("[data-action=attach-files]");
  await page.waitForSelector("[data-section=files] .file-line >> nth=1");
}

/** Type a search the way a user does and wait until the table ran it. */
async function search(q) {
  await page.fill("[data-input=search]", q);
  await page.waitForFunction((q) => window.__fake.calls.some((c) => c.cmd === "list_page" && c.args.filter.query === q), q);
}

describe("built-in viewer", () => {
  test("a full-text hit opens the viewer at its page, the words marked; pages, zoom, system viewer, Esc", async () => {
    await itemWithPdf();
    // Only the PDF offers the built-in viewer.
    assert.equal(await page.$$eval("[data-action=view-attachment]", (els) => els.length), 1);
    await search("ft:value");
    await waitRows(1);
    await page.click(".tr[data-key=steen2020] .td");
    await page.click("[data-section=fulltext-hits] [data-action=open-hit]");
    await page.waitForSelector(".viewer[data-state=ready]", { timeout: 15000 });
    const pdfCall = (await calls("attachment_pdf"))[0];
    assert.equal(typeof pdfCall.attachment, "number");
    assert.deepEqual(Object.keys(pdfCall), ["attachment"], "the webview asks by id, never by path");
    assert.equal(await page.getAttribute(".viewer", "data-page"), "3");
    assert.equal(await page.inputValue("[data-input=viewer-page]"), "3");
    assert.equal(await page.textContent("[data-viewer-pages]"), "of 5");
    // The text layer holds the page's text; the hit's word is marked there, visibly.
    assert.match(await page.textContent(".viewer .textLayer"), /co-produced value of public services/);
    assert.equal(await page.getAttribute(".viewer", "data-marks"), "1");
    assert.equal((await page.textContent(".viewer mark.viewer-mark")).toLowerCase(), "value");
    const box = await page.$eval(".viewer mark.viewer-mark", (m) => {
      const r = m.getBoundingClientRect();
      return { w: r.width, h: r.height, bg: getComputedStyle(m).backgroundColor };
    });
    assert.ok(box.w > 10 && box.h > 5, JSON.stringify(box));
    assert.notEqual(box.bg, "rgba(0, 0, 0, 0)");
    // The canvas was drawn (not blank).
    const inked = await page.$eval(".viewer canvas", (c) => {
      const d = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
      let n = 0;
      for (let i = 0; i < d.length; i += 4) if (d[i] < 128) n++;
      return n;
    });
    assert.ok(inked > 50, `dark pixels on the page: ${inked}`);
    await page.screenshot({ path: join(SHOTS, "ui-mock-viewer.png") });
    // Navigation.
    await page.click("[data-action=viewer-next]");
    await page.waitForSelector(".viewer[data-page='4'][data-state=ready]");
    assert.match(await page.textContent(".viewer .textLayer"), /Page four/);
    assert.equal(await page.getAttribute(".viewer", "data-marks"), "0");
    await page.fill("[data-input=viewer-page]", "1");
    await page.press("[data-input=viewer-page]", "Enter");
    await page.waitForSelector(".viewer[data-page='1'][data-state=ready]");
    await page.click("[data-action=viewer-prev]");
    assert.equal(await page.inputValue("[data-input=viewer-page]"), "1", "no page before the first");
    await page.fill("[data-input=viewer-page]", "99");
    await page.press("[data-input=viewer-page]", "Enter");
    await page.waitForSelector(".viewer[data-page='5'][data-state=ready]");
    // Zoom: the page grows.
    const width = () => page.$eval(".viewer-sheet", (e) => e.getBoundingClientRect().width);
    const before = await width();
    await page.click("[data-action=viewer-zoom-in]");
    await page.waitForFunction((w) => document.querySelector(".viewer-sheet")?.getBoundingClientRect().width > w + 20, before);
    assert.match(await page.textContent("[data-viewer-zoom]"), /^\d+ %$/);
    await page.click("[data-action=viewer-zoom-out]");
    await page.click("[data-action=viewer-zoom-out]");
    await page.waitForFunction((w) => document.querySelector(".viewer-sheet")?.getBoundingClientRect().width < w - 20, before);
    // Open in the system's viewer: by id.
    await page.click("[data-action=viewer-open-system]");
    await page.waitForFunction(() => window.__fake.calls.some((c) => c.cmd === "open_attachment"));
    assert.deepEqual((await calls("open_attachment"))[0], { attachment: pdfCall.attachment });
    await page.keyboard.press("Escape");
    await page.waitForSelector(".viewer", { state: "detached" });
    assert.deepEqual(errors, []);
  });

  test("View opens a PDF at its first page; a damaged PDF shows pdf.js's error and the window stays usable", async () => {
    await itemWithPdf();
    await page.click("[data-action=view-attachment]");
    await page.waitForSelector(".viewer[data-state=ready]", { timeout: 15000 });
    assert.equal(await page.getAttribute(".viewer", "data-page"), "1");
    const navs = ".viewer [data-action=viewer-prev], .viewer [data-action=viewer-next], .viewer [data-action^=viewer-zoom], .viewer [data-action=viewer-fit], .viewer [data-input=viewer-page]";
    const disabled = () => page.$$eval(navs, (els) => els.map((e) => e.disabled));
    assert.deepEqual(await disabled(), [false, false, false, false, false, false]);
    assert.match(await page.textContent("[data-viewer-zoom]"), /^\d+ %$/);
    await page.click("[data-action=viewer-close]");
    await page.waitForSelector(".viewer", { state: "detached" });
    // Not a PDF at all, then a truncated one.
    for (const bad of ["<html><body>Access denied</body></html>", "%PDF-1.7\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R"]) {
      await page.evaluate((b) => (window.__fake.pdf = new TextEncoder().encode(b)), bad);
      await page.click("[data-action=view-attachment]");
      await page.waitForSelector(".viewer[data-state=error] [data-viewer-error]", { timeout: 15000 });
      assert.match(await page.textContent("[data-viewer-error]"), /^Cannot show this PDF: .+ “Open in system viewer” may still read it\.$/);
      assert.ok(await page.$(".viewer [data-action=viewer-open-system]"));
      // No page to go to or zoom: those controls are disabled and say nothing ("of", "%").
      assert.deepEqual(await disabled(), [true, true, true, true, true, true]);
      assert.equal(await page.textContent("[data-viewer-pages]"), "");
      assert.equal(await page.textContent("[data-viewer-zoom]"), "");
      assert.equal(await page.$eval("[data-action=viewer-open-system]", (e) => e.disabled), false);
      await page.screenshot({ path: join(SHOTS, "ui-mock-viewer-error.png") });
      await page.click("[data-action=viewer-close]");
      await page.waitForSelector(".viewer", { state: "detached" });
    }
    // The window still answers.
    await page.click(".tr[data-key=flores2022] .td");
    await page.waitForSelector(".item-pane [data-field=title]");
    assert.deepEqual(errors, []);
  });
});

describe("search everything", () => {
  test("the toggle searches the files' text too; hits say file and page; a click opens the viewer there", async () => {
    await itemWithPdf();
    await search("value");
    assert.equal((await calls("list_page")).at(-1).filter.everything, false);
    assert.equal(await page.$("[data-section=fulltext-hits]"), null, "plain words search no text");
    await page.click("[data-action=search-everything]");
    assert.equal(await page.getAttribute("[data-action=search-everything]", "aria-pressed"), "true");
    await page.waitForFunction(() => window.__fake.calls.filter((c) => c.cmd === "list_page").at(-1)?.args.filter.everything === true);
    await page.click(".tr[data-key=steen2020] .td");
    await page.waitForSelector("[data-section=fulltext-hits] .hit-line");
    assert.deepEqual((await calls("fulltext_hits")).at(-1), { id: 3, query: "value", everything: true });
    assert.equal(await page.textContent(".hit-line"), "Steen 2020.pdf, p. 3: …the <b>co-produced</b> value of public services…");
    assert.equal(await page.$(".hit-line b"), null, "markup in the text stays text");
    await page.screenshot({ path: join(SHOTS, "ui-mock-everything.png") });
    await page.click("[data-action=open-hit]");
    await page.waitForSelector(".viewer[data-state=ready]", { timeout: 15000 });
    assert.equal(await page.getAttribute(".viewer", "data-page"), "3");
    assert.equal(await page.getAttribute(".viewer", "data-marks"), "1");
    await page.keyboard.press("Escape");
    // Off again: the plain search.
    await page.click("[data-action=search-everything]");
    await page.waitForFunction(() => window.__fake.calls.filter((c) => c.cmd === "list_page").at(-1)?.args.filter.everything === false);
    assert.deepEqual(errors, []);
  });
});

describe("background indexing", () => {
  test("the status bar shows which file of how many is read, and Cancel stops it", async () => {
    const indicator = "[data-status=indexing]";
    assert.equal(await page.isVisible(indicator), false);
    await itemWithPdf();
    await page.click("[data-action=index-text]");
    await page.waitForSelector(`${indicator}:not([hidden])`);
    assert.equal(await page.textContent(`${indicator} [data-indexing-text]`), "Indexing 1 of 12 files…");
    await page.evaluate(() => window.__fake.setIndexing({ done: 3, file: "Jaspers 2019.pdf" }));
    await page.waitForFunction(() => document.querySelector("[data-indexing-text]").textContent === "Indexing 4 of 12 files…");
    assert.equal(await page.getAttribute(`${indicator} [data-indexing-text]`, "title"), "Jaspers 2019.pdf");
    await page.screenshot({ path: join(SHOTS, "ui-mock-indexing.png") });
    await page.click("[data-action=cancel-indexing]");
    await page.waitForSelector(`${indicator}[hidden]`, { state: "attached" });
    assert.equal((await calls("fulltext_cancel")).length, 1);
    assert.match(await toasts(), /Indexing cancelled: read the text of 3 files \(40 pages\)/);
    assert.deepEqual(errors, []);
  });

  test("a window opened while the shell indexes shows it at once, then the pass's outcome", async () => {
    await page.goto(page.url().split("?")[0] + "?indexing=running");
    await page.waitForSelector("body[data-ready=true]");
    await page.waitForFunction(() => document.querySelector("[data-indexing-text]")?.textContent === "Indexing 7 of 9 files…");
    await page.evaluate(() => window.__fake.setIndexing({ running: false, done: 9, total: 9, report: { indexed: 9, noText: 0, failed: 1, missing: 0, pages: 80, failures: ["x.pdf: damaged"], cancelled: false } }));
    await page.waitForSelector("[data-status=indexing][hidden]", { state: "attached" });
    assert.match(await toasts(), /Read the text of 9 files \(80 pages\); 1 file could not be read \(x\.pdf: damaged\)/);
    assert.deepEqual(errors, []);
  });
});
