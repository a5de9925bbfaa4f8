// End-to-end test of `recelint serve` in headless Chromium (see .ci/desk-test).
//   node desk-test.js RECELINT_BINARY DEFECTIVE_UKE WORK_DIR
// Prints one line per check and ends with `N passed, N failed`; exits 1 on any failure.
'use strict';
const { chromium } = require('playwright-core');
const { spawn, execFileSync } = require('child_process');
const fs = require('fs');
const http = require('http');
const os = require('os');
const path = require('path');

const [bin, claimFile, work] = process.argv.slice(2);
if (!bin || !claimFile || !work) {
  console.error('usage: node desk-test.js RECELINT DEFECTIVE_UKE WORK_DIR');
  process.exit(2);
}
const shots = process.env.DESK_SHOTS || '';
// The readable fixtures (result XML files are used as they are).
const repoTestdata = path.resolve(__dirname, '..', '..', 'testdata');
let passed = 0;
let failed = 0;
// A ZIP archive of one entry, stored (no compression), as a test input.
function storedZip(name, data) {
  const crcTable = [];
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) { c = c & 1 ? 0xEDB88320 ^ (c >>> 1) : c >>> 1; }
    crcTable.push(c >>> 0);
  }
  let crc = 0xFFFFFFFF;
  for (const b of data) { crc = crcTable[(crc ^ b) & 0xFF] ^ (crc >>> 8); }
  crc = (crc ^ 0xFFFFFFFF) >>> 0;
  const n = Buffer.from(name, 'latin1');
  const local = Buffer.alloc(30);
  local.writeUInt32LE(0x04034b50, 0); local.writeUInt16LE(20, 4);
  local.writeUInt32LE(crc, 14); local.writeUInt32LE(data.length, 18); local.writeUInt32LE(data.length, 22);
  local.writeUInt16LE(n.length, 26);
  const central = Buffer.alloc(46);
  central.writeUInt32LE(0x02014b50, 0); central.writeUInt16LE(20, 4); central.writeUInt16LE(20, 6);
  central.writeUInt32LE(crc, 16); central.writeUInt32LE(data.length, 20); central.writeUInt32LE(data.length, 24);
  central.writeUInt16LE(n.length, 28);
  const end = Buffer.alloc(22);
  const cdAt = 30 + n.length + data.length;
  end.writeUInt32LE(0x06054b50, 0); end.writeUInt16LE(1, 8); end.writeUInt16LE(1, 10);
  end.writeUInt32LE(46 + n.length, 12); end.writeUInt32LE(cdAt, 16);
  return Buffer.concat([local, n, data, central, n, end]);
}

function check(what, ok, detail) {
  if (ok) {
    passed += 1;
    console.log(`ok - ${what}`);
  } else {
    failed += 1;
    console.log(`FAILED - ${what}${detail === undefined ? '' : ': ' + detail}`);
  }
}

function until(ms, what) {
  return new Promise((_, reject) => setTimeout(() => reject(new Error(`timed out: ${what}`)), ms));
}

// A raw HTTP request to the server, with headers as given (Host included).
function request(port, opts) {
  return new Promise((resolve) => {
    const req = http.request({ host: '127.0.0.1', port, ...opts }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c) => { body += c; });
      res.on('end', () => {
        resolve({ status: res.statusCode, headers: res.headers, body });
        if (opts.keepOpen) { req.destroy(); }
      });
    });
    req.on('error', (e) => resolve({ status: 0, error: e.code || String(e) }));
    // keepOpen: the headers only, as a client announcing a body it has not sent yet.
    if (opts.body !== undefined) { req.end(opts.body); } else if (opts.keepOpen) { req.flushHeaders(); } else { req.end(); }
  });
}

// Whether something accepts a TCP connection at host:port.
function connects(host, port) {
  return new Promise((resolve) => {
    const s = require('net').connect({ host, port, timeout: 2000 });
    s.on('connect', () => { s.destroy(); resolve(true); });
    s.on('error', () => resolve(false));
    s.on('timeout', () => { s.destroy(); resolve(false); });
  });
}

let serverProc = null;
async function main() {
  const server = spawn(bin, ['serve', '--no-open', '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  serverProc = server;
  let out = '';
  let exited = null;
  const exit = new Promise((resolve) => server.on('exit', (code, signal) => { exited = { code, signal }; resolve(exited); }));
  server.stderr.on('data', (c) => process.stderr.write(c));
  const url = await Promise.race([
    new Promise((resolve) => server.stdout.on('data', (c) => {
      out += c;
      const m = out.match(/http:\/\/127\.0\.0\.1:(\d+)\//);
      if (m) { resolve(m[0]); }
    })),
    until(20000, 'the server printed no URL'),
  ]);
  const port = Number(new URL(url).port);
  check('the server prints its URL on 127.0.0.1', port > 0, url);

  // Listening on 127.0.0.1 only: the socket table, and no answer on another address.
  let ss = '';
  try { ss = execFileSync('ss', ['-Hltn', `sport = :${port}`], { encoding: 'utf8' }); } catch (e) { ss = ''; }
  const locals = ss.split('\n').filter((l) => l.trim()).map((l) => l.trim().split(/\s+/)[3]);
  check('the only listening socket is 127.0.0.1', locals.length === 1 && locals[0] === `127.0.0.1:${port}`, JSON.stringify(locals));
  const others = Object.values(os.networkInterfaces()).flat()
    .filter((a) => a && a.family === 'IPv4' && !a.address.startsWith('127.')).map((a) => a.address);
  for (const a of others.slice(0, 3)) {
    check(`nothing answers on ${a}:${port}`, !(await connects(a, port)));
  }
  check('nothing answers on [::1]', !(await connects('::1', port)));

  // The DNS-rebinding guard and the upload cap, without a browser.
  const foreign = await request(port, { path: '/', headers: { Host: `rebind.example:${port}` } });
  check('a foreign Host header is refused', foreign.status === 403, foreign.status);
  const cross = await request(port, {
    method: 'POST', path: '/check', body: '{}\n',
    headers: { Host: `127.0.0.1:${port}`, Origin: 'http://rebind.example', 'Content-Type': 'application/octet-stream' },
  });
  check('a POST from another origin is refused', cross.status === 403, cross.status);
  const big = await request(port, {
    method: 'POST', path: '/check', keepOpen: true,
    headers: { Host: `127.0.0.1:${port}`, 'Content-Type': 'application/octet-stream', 'Content-Length': String(2 ** 31) },
  });
  check('an upload over the cap gets 413 and a clear message', big.status === 413 && /大きすぎます/.test(big.body) && /too large/.test(big.body), `${big.status} ${big.body}`);

  const profile = fs.mkdtempSync(path.join(work, 'chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    acceptDownloads: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    viewport: { width: 1280, height: 900 },
  });
  const page = context.pages()[0] || await context.newPage();
  const requests = [];
  const problems = [];
  page.on('request', (r) => requests.push(r.url()));
  page.on('console', (m) => { if (m.type() === 'error') { problems.push(m.text()); } });
  page.on('pageerror', (e) => problems.push(String(e)));

  const first = await page.goto(url);
  const csp = (await first.allHeaders())['content-security-policy'] || '';
  check('the page has a strict Content-Security-Policy', /default-src 'none'/.test(csp) && /script-src 'self'/.test(csp) && !/unsafe/.test(csp), csp);
  check('the page is in Japanese by default', (await page.title()).includes('提出前チェック') && (await page.getAttribute('html', 'lang')) === 'ja');

  // Upload the defective file with the picker: it is checked at once.
  await page.setInputFiles('#claims', claimFile);
  await page.waitForSelector('#verdict .says', { timeout: 30000 });
  const verdict = (await page.textContent('#verdict .says')).trim();
  check('the verdict counts the errors', /^\d+ 件のエラー: このままでは返戻・受付不能の可能性があります$/.test(verdict), verdict);
  const facility = (await page.textContent('#v-facility')).trim();
  check('the facility code is shown', facility === '1234567', facility);
  const s007 = page.locator('article.rule[data-rule="S007"]');
  const refs = await s007.locator('a.rcpt').count();
  check('S007 (no diagnosis) is one group with its ten receipts', (await s007.count()) === 1 && refs === 10, refs);
  const why = (await s007.locator('.why').textContent()) || '';
  check('the finding says why it matters', why.includes('受付不能'), why.slice(0, 80));
  const fix = (await s007.locator('.fix').textContent()) || '';
  check('the finding says how to fix it', fix.includes('傷病名を記録します'), fix.slice(0, 80));
  const quals = (await page.textContent('#qualification')) || '';
  check('qualifications without evidence are said to be unchecked', quals.includes('資格の証拠なし') && !quals.includes('照合した: 現在の資格'), quals.slice(0, 80));
  if (shots) {
    fs.mkdirSync(shots, { recursive: true });
    await page.screenshot({ path: path.join(shots, 'desk-1280.png') });
    await page.setViewportSize({ width: 390, height: 844 });
    await page.screenshot({ path: path.join(shots, 'desk-390.png') });
    await page.locator('#rules').scrollIntoViewIfNeeded();
    await page.screenshot({ path: path.join(shots, 'desk-390-rules.png') });
    await page.setViewportSize({ width: 1280, height: 900 });
  }

  // A receipt's link opens its row in the list by receipt.
  await s007.locator('a.rcpt').first().click();
  check('a receipt link shows that receipt', await page.locator('#r-1-1').isVisible());

  // The download of the HTML report is the standalone page.
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#dl-html')]);
  const saved = path.join(work, 'report.html');
  await download.saveAs(saved);
  const doc = fs.readFileSync(saved, 'utf8');
  check('the HTML download is a whole report', doc.startsWith('<!DOCTYPE html>') && doc.includes('件のエラー') && doc.includes('<style>'));

  // English by the switch, the same check again.
  await page.click('#lang');
  await page.waitForFunction(() => /error/.test((document.querySelector('#verdict .says') || {}).textContent || ''));
  const en = (await page.textContent('#verdict .says')).trim();
  check('the switch shows the report in English', /^\d+ errors?: as it is, the claim may be returned or refused$/.test(en) && (await page.getAttribute('html', 'lang')) === 'en', en);

  // The evidence pickers, back in Japanese: an earlier month's claim file (history) and
  // オンライン資格確認 result XML files. Each choice checks the claims again at once.
  await page.click('#lang');
  await page.waitForFunction(() => /件/.test((document.querySelector('#verdict .says') || {}).textContent || ''));
  const fixtures = path.resolve(path.dirname(claimFile), '..');
  const rerun = async (pick) => {
    await page.evaluate(() => { document.getElementById('report').textContent = ''; });
    await pick();
    await page.waitForSelector('#verdict .says', { timeout: 30000 });
  };
  const q005 = path.join(fixtures, 'qualify', 'q005_history_knows_the_patient');
  await page.click('#clear');
  await rerun(() => page.setInputFiles('#claims', path.join(q005, 'check.UKE')));
  check('a 不詳 claim without evidence has no Q005', (await page.locator('article.rule[data-rule="Q005"]').count()) === 0);
  await rerun(() => page.setInputFiles('#history', path.join(q005, 'history.UKE')));
  const roles = await page.locator('#chosen .role').allTextContents();
  check('the history file is listed as an earlier month', roles.join(',') === '請求ファイル,前月までの請求', roles.join(','));
  const q005why = (await page.locator('article.rule[data-rule="Q005"]').textContent()) || '';
  check('with the history file, the 不詳 claim of a known patient is Q005', q005why.includes('０１１３００１２') || q005why.includes('01130012'), q005why.slice(0, 120));

  // Result XML files (as the 資格確認端末 writes them in its res folder), chosen with the
  // qualifications picker, several at once; a result file dropped with the claims would be
  // taken the same way, never as a claim file.
  const q007 = path.join(fixtures, 'qualify', 'q007_result_invalid_without_note');
  const results = fs.readdirSync(path.join(repoTestdata, 'qualify', 'q007_result_invalid_without_note', 'res'))
    .filter((n) => n.endsWith('.xml'))
    .map((n) => path.join(repoTestdata, 'qualify', 'q007_result_invalid_without_note', 'res', n));
  await page.click('#clear');
  await rerun(() => page.setInputFiles('#claims', path.join(q007, 'check.UKE')));
  const before = (await page.textContent('#qualification')) || '';
  check('without results the claims are unchecked', before.includes('資格の証拠なし'), before.slice(0, 80));
  await rerun(() => page.setInputFiles('#quals', results));
  const qroles = await page.locator('#chosen .role').allTextContents();
  check('the result XML files are listed as qualifications', results.length >= 2 && qroles.filter((r) => r === '資格確認の記録').length === results.length, qroles.join(','));
  const after = (await page.textContent('#qualification')) || '';
  check('with the results, receipts are checked against them', after.includes('照合した: 現在の資格') && !after.includes('資格の証拠なし'), after.slice(0, 120));

  // A ZIP of claim files chosen as claims stays a claim (F008 says to extract it); a ZIP of
  // result files would be evidence.
  const claimZip = path.join(work, 'claims.zip');
  fs.writeFileSync(claimZip, storedZip('RECEIPTC.UKE', fs.readFileSync(claimFile)));
  await page.click('#clear');
  await rerun(() => page.setInputFiles('#claims', claimZip));
  const zroles = await page.locator('#chosen .role').allTextContents();
  check('a ZIP of claim files is listed as a claim file', zroles.join(',') === '請求ファイル', zroles.join(','));
  check('a ZIP of claim files gets F008', (await page.locator('article.rule[data-rule="F008"]').count()) === 1);

  check('the page fetched nothing but its own server', requests.every((u) => u.startsWith(url)), requests.filter((u) => !u.startsWith(url)).join(' '));
  check('no script error or blocked resource in the page', problems.length === 0, problems.join(' | '));

  // Closing the page stops the server (its goodbye, then a few seconds' grace).
  const closedAt = Date.now();
  await page.close();
  const result = await Promise.race([exit, until(30000, 'the server did not stop').catch(() => null)]);
  await context.close();
  check('closing the page stops the server', result !== null && result.code === 0, result ? JSON.stringify(result) : 'still running');
  if (result === null) { server.kill('SIGKILL'); } else { console.log(`  (stopped ${((Date.now() - closedAt) / 1000).toFixed(1)} s after the page closed)`); }
  fs.rmSync(profile, { recursive: true, force: true });
}

main()
  .catch((e) => { failed += 1; console.log(`FAILED - ${e.stack || e}`); })
  .then(() => {
    if (serverProc && serverProc.exitCode === null && serverProc.signalCode === null) { serverProc.kill('SIGKILL'); }
    console.log(`desk: ${passed} passed, ${failed} failed`);
    process.exit(failed ? 1 : 0);
  });
