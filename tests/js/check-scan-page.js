// Renders scan pages in Debian's chromium at a phone's viewport and checks what a person sees.
// Usage: node check-scan-page.js URL SCREENSHOT.png EXPECTED_TEXT...
//    or: node check-scan-page.js PAGES.json   ([{url, screenshot, expected: [...], absent: [...]}, ...],
//        all in one browser: quicker than one run per page)
// Prints one JSON line {url, screenshot, ok, problems, width, scrollWidth, bytes} per page; exits 1 when a
// check fails, 2 when playwright-core or chromium is missing.
let chromium;
try {
  ({ chromium } = require('playwright-core'));
} catch (error) {
  console.error('playwright-core is not installed: run tools/test (npm ci --prefix tests/js)');
  process.exit(2);
}
const fs = require('node:fs');

async function checkPage(browser, { url, screenshot, expected = [], absent = [] }) {
  const problems = [];
  // A small Android phone: 360 x 740 CSS pixels at 2x.
  const context = await browser.newContext({
    viewport: { width: 360, height: 740 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true,
  });
  try {
    const page = await context.newPage();
    const messages = [];
    page.on('console', (message) => messages.push(`${message.type()}: ${message.text()}`));
    page.on('pageerror', (error) => messages.push(`pageerror: ${error.message}`));
    const requests = [];
    page.on('request', (request) => requests.push(request.url()));
    const response = await page.goto(url, { waitUntil: 'load' });
    const body = await response.body();
    const seen = await page.evaluate(() => ({
      text: document.body.innerText,
      width: window.innerWidth,
      scrollWidth: document.documentElement.scrollWidth,
      verdictVisible: (() => {
        const box = document.querySelector('.verdict');
        if (!box) return false;
        const rect = box.getBoundingClientRect();
        return rect.top >= 0 && rect.bottom <= window.innerHeight && rect.width > 0;
      })(),
    }));
    for (const text of expected) {
      if (!seen.text.includes(text)) problems.push(`text not shown: ${text}`);
    }
    for (const text of absent) {
      if (seen.text.includes(text)) problems.push(`text shown but must not be: ${text}`);
    }
    if (seen.scrollWidth > seen.width) problems.push(`horizontal scroll: ${seen.scrollWidth} > ${seen.width}`);
    if (!seen.verdictVisible) problems.push('the verdict is not on the first screen');
    if (requests.length !== 1) problems.push(`the page loaded more than itself: ${requests.join(', ')}`);
    // The page's own 4xx/5xx status is reported as a failed resource: the status is checked by the
    // caller, and any other resource is caught by the request count above.
    for (const message of messages) {
      if (!message.includes('Failed to load resource')) problems.push(`console: ${message}`);
    }
    await page.screenshot({ path: screenshot, fullPage: true });
    console.log(JSON.stringify({
      url, screenshot, ok: problems.length === 0, problems, width: seen.width, scrollWidth: seen.scrollWidth, bytes: body.length,
    }));
  } finally {
    await context.close();
  }
  return problems.length === 0;
}

async function main() {
  const args = process.argv.slice(2);
  const pages = args.length === 1 && args[0].endsWith('.json')
    ? JSON.parse(fs.readFileSync(args[0], 'utf8'))
    : [{ url: args[0], screenshot: args[1], expected: args.slice(2) }];
  const executablePath = process.env.CHROMIUM || '/usr/bin/chromium';
  if (!fs.existsSync(executablePath)) {
    console.error(`${executablePath} is missing: tools/setup installs Debian's chromium`);
    process.exit(2);
  }
  const browser = await chromium.launch({ executablePath, args: ['--no-sandbox'] });
  let ok = true;
  try {
    for (const page of pages) ok = (await checkPage(browser, page)) && ok;
  } finally {
    await browser.close();
  }
  process.exit(ok ? 0 : 1);
}

main().catch((error) => {
  console.error(error.stack || String(error));
  process.exit(1);
});
