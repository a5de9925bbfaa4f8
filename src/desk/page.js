// The desk page of `recelint serve`: files in by drop or picker, sent to this machine's
// recelint (127.0.0.1) only, the report shown; a heartbeat keeps the server running while
// the page is open, and a goodbye when it closes lets it stop.
(function () {
  'use strict';

  var TEXT = {
    ja: {
      title: 'recelint 提出前チェック',
      lang_button: 'English',
      drop_title: '請求ファイルをここにドロップ',
      drop_help: 'RECEIPTC.UKE などの請求ファイル（いくつでも）と、あれば資格確認の記録（資格確認端末の res・face フォルダの結果 XML、その ZIP、または CSV）を、この枠にドラッグ＆ドロップするか、ボタンで選んでください。',
      pick_claims: '請求ファイルを選ぶ',
      pick_quals: '資格確認の記録（結果の XML・ZIP・CSV、任意）を選ぶ',
      pick_history: '前月までの請求ファイル（任意）を選ぶ',
      run: '検査する',
      again: 'もう一度検査する',
      clear: '選び直す',
      local: 'ファイルはこのパソコンの中で検査します。どこにも送信せず、保存もしません（報告書は「保存」を押したときだけダウンロードされます）。',
      dl_html: '報告書を保存（HTML）',
      dl_json: 'データを保存（JSON）',
      gone: 'recelint は終了しました。もう一度使うときは recelint serve を起動してください。',
      foot: '127.0.0.1 だけで動いています。ページを閉じると終了します。',
      claim: '請求ファイル',
      quals: '資格確認の記録',
      history: '前月までの請求',
      checking: '検査しています…',
      checked: '検査しました',
      too_large: 'ファイルが大きすぎます（合計 {0} MB まで）。ファイルを分けて検査してください。',
      no_claim: '請求ファイルを選んでください（資格確認の記録だけでは検査できません）。',
      failed: '検査できませんでした: ',
      remove: '外す'
    },
    en: {
      title: 'recelint pre-submission check',
      lang_button: '日本語',
      drop_title: 'Drop claim files here',
      drop_help: 'Drag and drop claim files such as RECEIPTC.UKE (any number) and, if you have it, the qualification results (the XML files of the res and face folders, a ZIP of them, or a CSV) onto this box, or choose them with the buttons.',
      pick_claims: 'Choose claim files',
      pick_quals: 'Choose qualification results (XML, ZIP or CSV, optional)',
      pick_history: "Choose earlier months' claim files (optional)",
      run: 'Check',
      again: 'Check again',
      clear: 'Start over',
      local: 'The files are checked on this computer. Nothing is sent anywhere or saved (a report is downloaded only when you press Save).',
      dl_html: 'Save the report (HTML)',
      dl_json: 'Save the data (JSON)',
      gone: 'recelint has stopped. Start recelint serve again to use it.',
      foot: 'Runs on 127.0.0.1 only. Closing the page stops it.',
      claim: 'claim file',
      quals: 'qualifications',
      history: 'earlier month',
      checking: 'Checking…',
      checked: 'Checked',
      too_large: 'The files are too large (at most {0} MB in all). Check them in parts.',
      no_claim: 'Choose a claim file (the qualifications alone cannot be checked).',
      failed: 'The check failed: ',
      remove: 'remove'
    }
  };

  var lang = document.documentElement.lang === 'en' ? 'en' : 'ja';
  var max = parseInt(document.body.getAttribute('data-max'), 10) || 0;
  var claims = [];
  // Qualification evidence: オンライン資格確認 result XML files, ZIPs of them, or the CSV.
  var quals = [];
  // Earlier months' claim files: evidence for the qualification order, not reported on.
  var history = [];
  var lastId = null;
  var running = false;
  var $ = function (id) { return document.getElementById(id); };
  function t(key) { return TEXT[lang][key]; }

  function paint() {
    document.documentElement.lang = lang;
    document.title = t('title');
    var els = document.querySelectorAll('[data-t]');
    for (var i = 0; i < els.length; i++) {
      els[i].textContent = t(els[i].getAttribute('data-t'));
    }
    $('lang').textContent = t('lang_button');
    $('run').textContent = lastId ? t('again') : t('run');
    list();
    links();
  }

  function size(n) {
    if (n >= 1048576) { return (n / 1048576).toFixed(1) + ' MB'; }
    if (n >= 1024) { return Math.ceil(n / 1024) + ' KB'; }
    return n + ' B';
  }

  function list() {
    var ul = $('chosen');
    ul.textContent = '';
    var all = claims.map(function (f) { return [f, 'claim']; });
    quals.forEach(function (f) { all.push([f, 'quals']); });
    history.forEach(function (f) { all.push([f, 'history']); });
    all.forEach(function (pair, i) {
      var li = document.createElement('li');
      var tag = document.createElement('span');
      tag.className = 'role ' + pair[1];
      tag.textContent = t(pair[1]);
      var name = document.createElement('span');
      name.className = 'name';
      name.textContent = pair[0].name;
      var sz = document.createElement('span');
      sz.className = 'size';
      sz.textContent = size(pair[0].size);
      var rm = document.createElement('button');
      rm.type = 'button';
      rm.className = 'rm';
      rm.textContent = t('remove');
      rm.addEventListener('click', function () {
        if (pair[1] === 'quals') { quals.splice(quals.indexOf(pair[0]), 1); } else if (pair[1] === 'history') { history.splice(history.indexOf(pair[0]), 1); } else { claims.splice(i, 1); }
        list();
      });
      li.appendChild(tag); li.appendChild(name); li.appendChild(sz); li.appendChild(rm);
      ul.appendChild(li);
    });
    $('run').disabled = running || claims.length === 0;
    $('clear').hidden = all.length === 0;
  }

  // What is evidence rather than a claim file: by its name (a claim file is .UKE / .CYO or
  // any other name), or by its type.
  function isQual(f) {
    return /\.(csv|xml|zip)$/i.test(f.name) || /^(text\/csv|text\/xml|application\/xml|application\/zip)$/.test(f.type);
  }
  function same(a, b) { return a.name === b.name && a.size === b.size; }
  function addQual(f) {
    quals = quals.filter(function (q) { return !same(q, f); });
    quals.push(f);
  }

  // The name of a ZIP archive's first entry ('' when the file is no ZIP): an archive of
  // claim files is a claim (recelint says to extract it, F008), any other is evidence.
  function firstZipName(f) {
    return f.slice(0, 1024).arrayBuffer().then(function (buf) {
      var b = new Uint8Array(buf);
      if (b.length < 30 || b[0] !== 0x50 || b[1] !== 0x4b || b[2] !== 3 || b[3] !== 4) { return ''; }
      var n = b[26] | (b[27] << 8);
      return String.fromCharCode.apply(null, b.subarray(30, Math.min(b.length, 30 + n)));
    });
  }

  function isClaimZip(f) {
    if (!/\.zip$/i.test(f.name)) { return Promise.resolve(false); }
    return firstZipName(f).then(function (n) { return /\.(uke|cyo)$/i.test(n); }, function () { return false; });
  }

  function add(files) {
    // A copy: the picker's list is emptied when it is reset.
    var chosen = Array.prototype.slice.call(files);
    Promise.all(chosen.map(isClaimZip)).then(function (claimZip) {
      var any = false;
      chosen.forEach(function (f, i) {
        if (isQual(f) && !claimZip[i]) { addQual(f); } else {
          claims = claims.filter(function (c) { return !same(c, f); });
          claims.push(f);
          any = true;
        }
      });
      list();
      // Dropping or choosing files checks them at once.
      if (claims.length > 0 && (any || lastId)) { run(); }
    });
  }

  function status(text, bad) {
    var s = $('status');
    s.textContent = text;
    s.className = 'status' + (bad ? ' bad' : '');
  }

  function links() {
    var d = $('downloads');
    if (!lastId) { d.hidden = true; return; }
    d.hidden = false;
    $('dl-html').href = '/report/' + lastId + '?format=html&lang=' + lang;
    $('dl-html').setAttribute('download', '');
    $('dl-json').href = '/report/' + lastId + '?format=json&lang=' + lang;
    $('dl-json').setAttribute('download', '');
  }

  function show(html) {
    var box = $('report');
    // The server's own rendering, every value in it escaped.
    box.innerHTML = html;
    var r = box.querySelector('.rl-report');
    if (r && window.recelintReport) { window.recelintReport(r); }
  }

  function message(reply, fallback) {
    return reply && (reply[lang] || reply.error) ? (reply[lang] || reply.error) : fallback;
  }

  function run() {
    if (running || claims.length === 0) { return; }
    var files = claims.slice();
    files = files.concat(quals, history);
    var total = files.reduce(function (n, f) { return n + f.size; }, 0);
    if (max && total > max) {
      status(t('too_large').replace('{0}', Math.floor(max / 1048576)), true);
      return;
    }
    var manifest = {
      lang: lang,
      files: files.map(function (f) {
        var role = quals.indexOf(f) >= 0 ? 'qualifications' : history.indexOf(f) >= 0 ? 'history' : 'claim';
        return { name: f.name, size: f.size, role: role };
      })
    };
    running = true;
    list();
    status(t('checking'));
    var body = new Blob([JSON.stringify(manifest) + '\n'].concat(files));
    fetch('/check', { method: 'POST', headers: { 'Content-Type': 'application/octet-stream' }, body: body })
      .then(function (res) {
        return res.json().then(function (j) { return [res.ok, j]; });
      })
      .then(function (r) {
        if (!r[0]) { throw new Error(message(r[1], 'HTTP')); }
        lastId = r[1].id;
        show(r[1].html);
        status(t('checked'));
        $('run').textContent = t('again');
        links();
      })
      .catch(function (e) { status(t('failed') + e.message, true); })
      .then(function () { running = false; list(); });
  }

  function relang() {
    lang = lang === 'ja' ? 'en' : 'ja';
    paint();
    if (!lastId) { return; }
    fetch('/report/' + lastId + '?format=fragment&lang=' + lang)
      .then(function (res) { return res.ok ? res.text() : Promise.reject(new Error(res.status)); })
      .then(show)
      .catch(function () {});
  }

  // Heartbeat: the server stops once no page has beaten for a while, or soon after the
  // last page says goodbye.
  var pageId = (window.crypto && crypto.randomUUID) ? crypto.randomUUID() : String(Math.random()).slice(2);
  var misses = 0;
  function beat() {
    fetch('/alive', { method: 'POST', body: pageId, keepalive: true })
      .then(function (res) { if (res.ok) { misses = 0; $('gone').hidden = true; } })
      .catch(function () { misses += 1; if (misses >= 2) { $('gone').hidden = false; } });
  }
  beat();
  setInterval(beat, 5000);
  window.addEventListener('pagehide', function () { navigator.sendBeacon('/bye', pageId); });
  window.addEventListener('pageshow', function (e) { if (e.persisted) { beat(); } });

  // A file dropped anywhere on the page is taken, never opened by the browser (which would
  // leave the page).
  var drop = $('drop');
  window.addEventListener('dragover', function (e) { e.preventDefault(); drop.classList.add('over'); });
  window.addEventListener('dragleave', function (e) { if (!e.relatedTarget) { drop.classList.remove('over'); } });
  window.addEventListener('drop', function (e) {
    e.preventDefault();
    drop.classList.remove('over');
    if (e.dataTransfer && e.dataTransfer.files.length) { add(e.dataTransfer.files); }
  });
  $('claims').addEventListener('change', function (e) { add(e.target.files); e.target.value = ''; });
  $('quals').addEventListener('change', function (e) {
    for (var i = 0; i < e.target.files.length; i++) { addQual(e.target.files[i]); }
    list();
    if (lastId && claims.length) { run(); }
    e.target.value = '';
  });
  $('run').addEventListener('click', run);
  $('history').addEventListener('change', function (e) {
    for (var i = 0; i < e.target.files.length; i++) { history.push(e.target.files[i]); }
    e.target.value = '';
    list();
    if (lastId && claims.length) { run(); }
  });
  $('clear').addEventListener('click', function () { claims = []; quals = []; history = []; list(); });
  $('lang').addEventListener('click', relang);
  paint();
})();
