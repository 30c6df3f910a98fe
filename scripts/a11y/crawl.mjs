// Accessibility crawl: every page each demo role reaches by following links, at desktop and phone
// widths, checked by axe-core in headless Chromium. Also fails on a server error, a JavaScript error
// or a Content-Security-Policy refusal on any page. Usage:
//   node crawl.mjs BASE_URL PREPARED.json [REPORT.json]
// PREPARED.json comes from prepare.py (sessions per role, URL patterns). Exit 1 on any finding.
import { readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { chromium } from "playwright-core";

const require = createRequire(import.meta.url);
const AXE_SOURCE = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");

const [base, preparedPath, reportPath = "a11y-report.json"] = process.argv.slice(2);
if (!base || !preparedPath) {
  console.error("usage: node crawl.mjs BASE_URL PREPARED.json [REPORT.json]");
  process.exit(2);
}
const prepared = JSON.parse(readFileSync(preparedPath, "utf8"));
const origin = new URL(base).origin;

// Not our pages (Django's admin, the vendored Swagger UI) or not pages at all.
const EXCLUDED_PREFIXES = ["/back-office/", "/api/", "/static/", "/media/"];
const FILE_SUFFIX = /\.(pdf|csv|xlsx|zip|geojson|json|xml|txt|png|jpe?g|svg)$/i;
const PER_PATTERN = Number(process.env.A11Y_PER_PATTERN || 2);
const PER_ROLE = Number(process.env.A11Y_PER_ROLE || 400);
const VIEWPORTS = [
  { name: "bureau", width: 1280, height: 900 },
  { name: "téléphone", width: 390, height: 844 },
];
const AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"];

const patterns = prepared.patterns.map((p) => ({ name: p.name, re: new RegExp(p.regex) }));
function patternOf(path) {
  const found = patterns.find((p) => p.re.test(path));
  return found ? found.name : `?${path}`;
}

function crawlable(href) {
  let url;
  try {
    url = new URL(href, base);
  } catch {
    return null;
  }
  if (url.origin !== origin || !["http:", "https:"].includes(url.protocol)) return null;
  if (EXCLUDED_PREFIXES.some((prefix) => url.pathname.startsWith(prefix))) return null;
  if (FILE_SUFFIX.test(url.pathname)) return null;
  url.hash = "";
  return url;
}

async function checkPage(page, url, findings) {
  const consoleProblems = [];
  const onConsole = (msg) => {
    if (msg.type() === "error" && /Content Security Policy/i.test(msg.text())) consoleProblems.push(`CSP : ${msg.text()}`);
  };
  const onPageError = (error) => consoleProblems.push(`Erreur JavaScript : ${error.message}`);
  page.on("console", onConsole);
  page.on("pageerror", onPageError);
  const links = new Set();
  try {
    for (const viewport of VIEWPORTS) {
      await page.setViewportSize({ width: viewport.width, height: viewport.height });
      const response = await page.goto(url.href, { waitUntil: "load", timeout: 30000 });
      const type = (response && response.headers()["content-type"]) || "";
      if (!type.includes("text/html")) return { links, html: false };
      if (response.status() >= 500) {
        findings.push({ url: url.href, kind: "http", detail: `HTTP ${response.status()}` });
        return { links, html: true };
      }
      // evaluate() runs through the DevTools protocol, outside the page's CSP.
      await page.evaluate(AXE_SOURCE);
      const result = await page.evaluate(
        (tags) => window.axe.run(document, { runOnly: { type: "tag", values: tags }, resultTypes: ["violations"] }),
        AXE_TAGS,
      );
      for (const violation of result.violations) {
        findings.push({
          url: url.href,
          kind: "axe",
          viewport: viewport.name,
          rule: violation.id,
          impact: violation.impact,
          help: violation.help,
          nodes: violation.nodes.slice(0, 5).map((node) => node.target.join(" ")),
        });
      }
      if (viewport === VIEWPORTS[0]) {
        for (const href of await page.$$eval("a[href]", (as) => as.map((a) => a.href))) links.add(href);
      }
    }
    return { links, html: true };
  } finally {
    page.off("console", onConsole);
    page.off("pageerror", onPageError);
    for (const problem of new Set(consoleProblems)) findings.push({ url: url.href, kind: "console", detail: problem });
  }
}

async function crawlRole(browser, role, findings) {
  const context = await browser.newContext({ locale: "fr-FR" });
  if (role.cookie) {
    await context.addCookies([{ name: prepared.session_cookie_name, value: role.cookie, url: origin }]);
  }
  const page = await context.newPage();
  const seen = new Set();
  const perPattern = new Map();
  const queue = prepared.start_paths.map((path) => new URL(path, base));
  let visited = 0;
  while (queue.length && visited < PER_ROLE) {
    const url = queue.shift();
    if (seen.has(url.href)) continue;
    seen.add(url.href);
    const pattern = patternOf(url.pathname);
    const count = perPattern.get(pattern) || 0;
    if (count >= PER_PATTERN) continue;
    perPattern.set(pattern, count + 1);
    let outcome;
    try {
      outcome = await checkPage(page, url, findings);
    } catch (error) {
      const message = String(error.message || error).split("\n")[0];
      // A link to a file served as an attachment (print files, RIB, SEPA): not a page.
      if (!/Download is starting/.test(message)) findings.push({ url: url.href, kind: "navigation", detail: message });
      continue;
    }
    if (!outcome.html) continue;
    visited += 1;
    for (const href of outcome.links) {
      const next = crawlable(href);
      if (next && !seen.has(next.href)) queue.push(next);
    }
  }
  await context.close();
  return { role: role.role, pages: visited, patterns: perPattern.size };
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-dev-shm-usage"],
});
const findings = [];
const summary = [];
try {
  // Canary: a page with known faults must give violations, or the crawl would pass by checking nothing.
  const canary = await browser.newPage();
  await canary.setContent('<!doctype html><html><body><img src="x.png"><input type="text"></body></html>');
  await canary.evaluate(AXE_SOURCE);
  const caught = await canary.evaluate((tags) => window.axe.run(document, { runOnly: { type: "tag", values: tags } }), AXE_TAGS);
  await canary.close();
  const caughtRules = caught.violations.map((v) => v.id);
  if (!caughtRules.includes("image-alt") || !caughtRules.includes("label")) {
    console.error(`FAIL: axe-core did not flag the canary page (found: ${caughtRules.join(", ") || "nothing"}).`);
    process.exit(2);
  }
  const only = (process.env.A11Y_ROLES || "").split(",").filter(Boolean);
  for (const role of prepared.roles.filter((r) => !only.length || only.includes(r.role))) {
    const before = findings.length;
    const outcome = await crawlRole(browser, role, findings);
    summary.push(outcome);
    console.log(`${outcome.role}: ${outcome.pages} pages (${outcome.patterns} motifs d'URL), ${findings.length - before} constat(s)`);
  }
} finally {
  await browser.close();
}
writeFileSync(reportPath, JSON.stringify({ summary, findings }, null, 2));
for (const finding of findings) {
  const where = finding.viewport ? `${finding.url} [${finding.viewport}]` : finding.url;
  const what = finding.kind === "axe" ? `${finding.rule} (${finding.impact}) ${finding.help} — ${finding.nodes.join(" | ")}` : finding.detail;
  console.log(`ÉCHEC ${finding.kind} ${where} : ${what}`);
}
const pages = summary.reduce((total, s) => total + s.pages, 0);
console.log(`${pages} pages vérifiées, ${findings.length} constat(s). Rapport : ${reportPath}`);
process.exit(findings.length ? 1 : 0);
