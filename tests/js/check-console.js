// Walks the web console's journeys in Debian's chromium, as people would. Every page is checked for
// what a phone or desktop user needs: no horizontal scroll, nothing loaded but the page and
// /console.css, under 100 KB, every input labelled, no console errors. Screenshots of every step
// go to the artifact folder.
//
// Usage: node check-console.js SPEC.json, where SPEC is
//   {journey: "producer", base, username, password, season, sprayedAt, lotCode, rollCount, width,
//    height, artifacts, name}: sign in, open the growing area's season, record a spraying, harvest a
//    lot, order a roll of stamps, download it as a PDF, activate the stamps;
//   {journey: "office", base, office: {username, password}, council: {username, password}, round,
//    dossier, points: {criterion: points}, decision, width, height, artifacts, name}: the office
//    accepts the dossier, the council member scores it, the office closes the round and reads the
//    new rating in the report's stars chart.
// Prints one JSON line {name, ok, problems, steps, ...}; exits 1 when a check fails, 2 when
// playwright-core or chromium is missing.
let chromium;
try {
  ({ chromium } = require('playwright-core'));
} catch (error) {
  console.error('playwright-core is not installed: run tools/test (npm ci --prefix tests/js)');
  process.exit(2);
}
const fs = require('node:fs');
const path = require('node:path');

// The office accepts the dossier, the council member (in a browser of their own) scores it, the
// office closes the round and finds the new rating in the report's stars chart.
async function officeJourney(spec, context, page, look, signIn, problems, result) {
  await signIn(page, spec.office, '/products');
  await Promise.all([page.waitForURL('**/rounds'), page.click('nav.menu a[href="/rounds"]')]);
  await look('rounds', ['Đánh giá']);
  await Promise.all([page.waitForURL(`**/${spec.round}`), page.click(`a[href="/${spec.round}"]`)]);
  await look('round', ['Đã nộp, chờ tiếp nhận']);
  const id = spec.dossier.split('/')[1];
  await Promise.all([page.waitForURL('**done=accept**'), page.click(`#accept-${id} button[type=submit]`)]);
  await look('accepted', ['Đã tiếp nhận hồ sơ', 'Đã tiếp nhận, đang chấm']);

  // The council member, on a device of their own.
  const council = await context.browser().newContext({ viewport: page.viewportSize(), acceptDownloads: false });
  const member = await council.newPage();
  member.on('pageerror', (error) => problems.push(`council pageerror: ${error.message}`));
  await signIn(member, spec.council, '/rounds');
  await Promise.all([member.waitForURL(`**/${spec.round}`), member.click(`a[href="/${spec.round}"]`)]);
  for (const input of await member.locator(`#score-${id} input[type=number]`).all()) {
    const criterion = (await input.getAttribute('name')).slice(2);
    await input.fill(String(spec.points[criterion] || 0));
  }
  const invalid = await member.evaluate((formId) => [...document.getElementById(formId).elements]
    .filter((element) => element.willValidate && !element.checkValidity())
    .map((element) => `${element.name}: ${element.validationMessage}`), `score-${id}`);
  if (invalid.length > 0) problems.push(`council: the browser refuses the sheet: ${invalid.join('; ')}`);
  // (A full-page screenshot just before the click makes chromium drop the click: take it after.)
  await Promise.all([member.waitForURL('**done=score**'), member.click(`#score-${id} button[type=submit]`)]);
  const memberText = await member.evaluate(() => document.body.innerText);
  if (!memberText.includes('Bạn đã chấm hồ sơ này')) {
    const alerts = await member.locator('[role=alert]').allInnerTexts();
    problems.push(`council: the sheet was not taken (${member.url()}): ${alerts.join(' | ')}`);
  }
  await member.screenshot({ path: `${spec.artifacts}/console-${spec.name}-council-scored.png`, fullPage: true });
  await council.close();

  await page.goto(`${spec.base}/${spec.round}`);
  await page.fill('#close-decision_number', spec.decision);
  await Promise.all([page.waitForURL('**done=close**'), page.click('#close button[type=submit]')]);
  await look('closed', ['Đã kết thúc đợt', spec.certificatePrefix]);
  await Promise.all([page.waitForURL('**/reports'), page.click('nav.menu a[href="/reports"]')]);
  await look('report', ['sản phẩm OCOP còn hiệu lực', 'Theo hạng sao']);
  const bars = await page.locator('figure.chart svg title').allTextContents();
  result.starsBars = bars.filter((text) => text.includes('sao / stars'));
  if (!bars.includes('5 sao / stars: 1')) problems.push(`the report's stars chart lacks the new rating: ${bars.join('; ')}`);
}

async function main() {
  const spec = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
  const executablePath = process.env.CHROMIUM || '/usr/bin/chromium';
  if (!fs.existsSync(executablePath)) {
    console.error(`${executablePath} is missing: tools/setup installs Debian's chromium`);
    process.exit(2);
  }
  const phone = spec.width < 600;
  const browser = await chromium.launch({ executablePath, args: ['--no-sandbox'] });
  const problems = [];
  const steps = [];
  const result = { name: spec.name };
  try {
    const context = await browser.newContext({
      viewport: { width: spec.width, height: spec.height },
      deviceScaleFactor: phone ? 2 : 1, isMobile: phone, hasTouch: phone, acceptDownloads: true,
    });
    const page = await context.newPage();
    const foreign = [];
    page.on('request', (request) => {
      const url = new URL(request.url());
      if (url.origin !== new URL(spec.base).origin) foreign.push(request.url());
      else if (request.resourceType() !== 'document' && url.pathname !== '/console.css') foreign.push(request.url());
    });
    page.on('console', (message) => {
      if (message.type() === 'error' && !message.text().includes('favicon')) problems.push(`console: ${message.text()}`);
    });
    page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));

    // Checks the page now shown and keeps a screenshot of it.
    const look = async (step, expected = []) => {
      const seen = await page.evaluate(() => ({
        text: document.body.innerText,
        width: window.innerWidth,
        scrollWidth: document.documentElement.scrollWidth,
        bytes: document.documentElement.outerHTML.length,
        unlabelled: [...document.querySelectorAll('input:not([type=hidden]),select,textarea')]
          .filter((input) => !input.labels || input.labels.length === 0).map((input) => input.name),
      }));
      for (const text of expected) {
        if (!seen.text.includes(text)) problems.push(`${step}: text not shown: ${text}`);
      }
      if (seen.scrollWidth > seen.width) problems.push(`${step}: horizontal scroll ${seen.scrollWidth} > ${seen.width}`);
      if (seen.bytes > 100 * 1024) problems.push(`${step}: page of ${seen.bytes} bytes`);
      if (seen.unlabelled.length > 0) problems.push(`${step}: inputs without a label: ${seen.unlabelled.join(', ')}`);
      const screenshot = path.join(spec.artifacts, `console-${spec.name}-${steps.length + 1}-${step}.png`);
      await page.screenshot({ path: screenshot, fullPage: true });
      steps.push({ step, url: page.url(), bytes: seen.bytes, screenshot });
    };

    const signIn = async (onPage, who, landing) => {
      await onPage.goto(`${spec.base}/login`);
      await onPage.fill('#username', who.username);
      await onPage.fill('#password', who.password);
      await Promise.all([onPage.waitForURL(`**${landing}`), onPage.click('form.login button[type=submit]')]);
    };
    if (spec.journey === 'office') {
      await officeJourney(spec, context, page, look, signIn, problems, result);
    } else {
    await page.goto(`${spec.base}/login`);
    await look('login', ['Đăng nhập', 'Sign in']);
    await page.fill('#username', spec.username);
    await page.fill('#password', spec.password);
    await Promise.all([page.waitForURL('**/products'), page.click('form.login button[type=submit]')]);
    await look('products', ['Sản phẩm']);

    // The menu, then the season, as a person finds them.
    await Promise.all([page.waitForURL('**/areas'), page.click('nav.menu a[href="/areas"]')]);
    await look('areas', ['Vùng trồng']);
    await Promise.all([page.waitForURL(`**/${spec.season}`), page.click(`a[href="/${spec.season}"]`)]);
    await look('season', ['Ghi nhật ký', 'Thu hoạch thành lô']);

    // Keyboard first: the step list and the time are reachable and settable without a mouse.
    await page.selectOption('#event-biz_step', 'ocop:spraying');
    await page.fill('#event-event_time', spec.sprayedAt);
    await page.fill('#event-location', 'Đồi chè xóm Nam Thái');
    await page.fill('#event-pesticide', 'Chế phẩm sinh học Bt');
    await page.fill('#event-pre_harvest_interval_days', '7');
    await Promise.all([page.waitForURL('**done=event'), page.click('#event button[type=submit]')]);
    await look('sprayed', ['Đã ghi sự kiện', 'Phun thuốc bảo vệ thực vật', 'Chế phẩm sinh học Bt']);

    await page.fill('#harvest-lot_code', spec.lotCode);
    await page.fill('#harvest-quantity', '120');
    await page.fill('#harvest-package_count', String(spec.rollCount));
    await Promise.all([page.waitForURL('**done=harvest'), page.click('#harvest button[type=submit]')]);
    await look('lot', ['Đã tạo lô', spec.lotCode, 'Thu hoạch']);
    result.lot = new URL(page.url()).pathname.slice(1);

    await page.fill('#roll-count', String(spec.rollCount));
    await Promise.all([page.waitForURL('**done=roll'), page.click('#roll button[type=submit]')]);
    await look('roll', ['Đã cấp cuộn tem', 'Tải tem để in', 'Chưa kích hoạt']);
    result.roll = new URL(page.url()).pathname.slice(1);

    // The roll's page proposes the whole roll; the PDF arrives as a download.
    await page.selectOption('#download-format', 'pdf-a4');
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#download button[type=submit]')]);
    result.pdf = path.join(spec.artifacts, `console-${spec.name}-stamps.pdf`);
    await download.saveAs(result.pdf);
    if (!download.suggestedFilename().endsWith('.pdf')) problems.push(`download named ${download.suggestedFilename()}`);

    // Labels on the packages: activate them. The form proposes the first stamp not yet active.
    await page.goto(`${spec.base}/${result.roll}`);
    await page.fill('#activate-count', String(spec.rollCount));
    await Promise.all([page.waitForURL('**done=activate'), page.click('#activate button[type=submit]')]);
    await look('activated', ['Đã kích hoạt tem', 'Đã kích hoạt']);
    }

    if (foreign.length > 0) problems.push(`loaded more than the pages and their stylesheet: ${foreign.join(', ')}`);
    await context.close();
  } catch (error) {
    problems.push(`journey stopped: ${error.message.split('\n')[0]}`);
    try {
      const pages = browser.contexts().flatMap((context) => context.pages());
      if (pages.length > 0) {
        await pages[0].screenshot({ path: path.join(spec.artifacts, `console-${spec.name}-failed.png`), fullPage: true });
      }
    } catch (ignored) {
      // The screenshot is a courtesy; the problem above is the report.
    }
  } finally {
    await browser.close();
  }
  console.log(JSON.stringify({ ...result, ok: problems.length === 0, problems, steps }));
  process.exit(problems.length === 0 ? 0 : 1);
}

main().catch((error) => {
  console.error(error.stack || String(error));
  process.exit(1);
});
