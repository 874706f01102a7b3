/* The inline stylesheet and script of the HTML report (plain ES2017; no network, no innerHTML). */

export const HTML_CSS = `
:root { --pass:#1a7f37; --warn:#9a6700; --fail:#cf222e; --unsupported:#0969da; --skip:#6e7781; --error:#8250df; --fg:#1f2328; --muted:#656d76; --line:#d0d7de; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, sans-serif; color: var(--fg); margin: 0 auto; max-width: 1200px; padding: 1em; }
h1 { font-size: 1.4em; margin: 0 0 .3em; } h2 { font-size: 1.15em; border-bottom: 1px solid var(--line); padding-bottom: .2em; margin-top: 1.6em; }
table { border-collapse: collapse; margin: .4em 0; } th, td { border: 1px solid var(--line); padding: 2px 6px; text-align: left; vertical-align: top; }
td.n { text-align: right; font-variant-numeric: tabular-nums; } .hint, .muted { color: var(--muted); }
.v { display: inline-block; min-width: 6.5em; padding: 0 .4em; border-radius: 3px; color: #fff; font-weight: 600; text-align: center; }
.v-pass { background: var(--pass); } .v-warn { background: var(--warn); } .v-fail { background: var(--fail); } .v-unsupported { background: var(--unsupported); } .v-skip { background: var(--skip); } .v-error { background: var(--error); } .v-none { background: #eee; color: var(--muted); }
.tag { display: inline-block; margin-left: .4em; padding: 0 .35em; border: 1px solid var(--line); border-radius: 3px; font-size: .85em; }
.tag-xpass, .tag-regression, .tag-failed { border-color: var(--fail); color: var(--fail); } .tag-expected { border-color: var(--skip); color: var(--skip); } .tag-improvement { border-color: var(--pass); color: var(--pass); }
#gate .banner { padding: .4em .7em; border-radius: 4px; margin: .5em 0; font-weight: 600; } .banner.ok { background: #dafbe1; } .banner.bad { background: #ffebe9; }
#filters { display: flex; flex-wrap: wrap; gap: .8em; align-items: center; margin: .5em 0; position: sticky; top: 0; background: #fff; padding: .3em 0; z-index: 1; }
details.case { border: 1px solid var(--line); border-radius: 4px; margin: .3em 0; } details.case > summary { cursor: pointer; padding: .25em .5em; list-style-position: inside; }
details.case[open] > summary { background: #f6f8fa; } .case-body { padding: .5em .8em; }
.case-id { font-family: ui-monospace, monospace; margin: 0 .5em; }
blockquote { margin: .4em 0; padding: .3em .8em; border-left: 4px solid var(--line); color: #333; background: #fafbfc; }
.ea { display: grid; grid-template-columns: 1fr 1fr; gap: .6em; } .ea pre { margin: 0; }
pre { white-space: pre-wrap; word-break: break-all; background: #f6f8fa; padding: .4em; border-radius: 3px; font: 12.5px/1.4 ui-monospace, monospace; }
table.transcript { width: 100%; font: 12.5px/1.35 ui-monospace, monospace; } table.transcript td { border: none; border-bottom: 1px solid #f0f0f0; white-space: pre-wrap; word-break: break-all; }
tr.dir-cs td.text { color: #0550ae; } tr.dir-sc td.text { color: #116329; } tr.dir-note td.text { color: var(--muted); font-style: italic; }
tr.deviant { background: #fff1e5; } .dev { color: var(--fail); font-weight: 600; }
td.mx { text-align: center; }
`;

export const HTML_JS = String.raw`
(function () {
  'use strict';
  var data = JSON.parse(document.getElementById('ftpc-data').textContent);
  var VERDICTS = ['pass', 'warn', 'fail', 'unsupported', 'skip', 'error'];
  function el(tag, attrs) {
    var e = document.createElement(tag);
    if (attrs) for (var k in attrs) {
      if (attrs[k] === undefined || attrs[k] === null || attrs[k] === false) continue;
      if (k === 'text') e.textContent = String(attrs[k]);
      else if (k === 'onclick') e.addEventListener('click', attrs[k]);
      else e.setAttribute(k, String(attrs[k]));
    }
    for (var i = 2; i < arguments.length; i++) {
      var c = arguments[i];
      if (c === undefined || c === null || c === false) continue;
      if (Array.isArray(c)) c.forEach(function (x) { if (x) e.appendChild(typeof x === 'string' ? document.createTextNode(x) : x); });
      else e.appendChild(typeof c === 'string' ? document.createTextNode(c) : c);
    }
    return e;
  }
  function badge(v, text) { return el('span', { 'class': 'v v-' + (v || 'none'), text: text || v || '—' }); }
  function table(head, rows) {
    return el('table', null, el('thead', null, el('tr', null, head.map(function (h) { return el('th', { text: h }); }))), el('tbody', null, rows));
  }
  function td(x, cls) { return typeof x === 'object' && x !== null ? el('td', { 'class': cls }, x) : el('td', { 'class': cls, text: x }); }
  var multi = data.targets.length > 1;

  // Header: targets and the gate.
  var meta = document.getElementById('meta');
  data.targets.forEach(function (t) {
    meta.appendChild(el('div', { 'class': 'muted' }, 'ftp-conform ' + data.version + ' → ' + t.key + ' as ' + t.user + ' · started ' + t.startedAt + ' · ' + (t.durationMs / 1000).toFixed(1) + ' s' + (t.greeting ? ' · ' + t.greeting.split('\n')[0] : '') + (t.unreachable ? ' · UNREACHABLE: ' + t.unreachable : '') + (t.silent ? ' · ' + t.silent : '')));
  });
  if (data.gate) {
    var g = data.gate, c = g.counts;
    document.getElementById('gate').appendChild(el('div', { 'class': 'banner ' + (g.failing ? 'bad' : 'ok') },
      (g.failing ? 'CI gate: FAILED — ' + g.reasons.join('; ') : 'CI gate: passed') + (g.interrupted ? ' (run interrupted)' : ''),
      el('div', { 'class': 'muted', text: c.failed + ' unexpected · ' + c.expected + ' expected · ' + c.xpass + ' unexpected pass · ' + c.regressions + ' regressions · ' + c.improvements + ' improvements · fail on ' + g.failOn.level + (g.failOn.regressionOnly ? ' regressions only' : '') })));
  }

  // Summary: per target, per suite.
  var sum = document.getElementById('summary');
  sum.appendChild(table(['target'].concat(VERDICTS, ['total']), data.targets.map(function (t) {
    var total = VERDICTS.reduce(function (n, v) { return n + t.summary[v]; }, 0);
    return el('tr', null, td(t.key), VERDICTS.map(function (v) { return td(t.summary[v] ? badge(v, String(t.summary[v])) : '0', 'n'); }), td(String(total), 'n'));
  })));
  var suites = [];
  data.cases.forEach(function (k) { if (suites.indexOf(k.suite) < 0) suites.push(k.suite); });
  sum.appendChild(table(['suite'].concat(VERDICTS, ['total']), suites.map(function (s) {
    var rows = data.cases.filter(function (k) { return k.suite === s; });
    return el('tr', null, td(s), VERDICTS.map(function (v) { var n = rows.filter(function (k) { return k.verdict === v; }).length; return td(String(n), 'n'); }), td(String(rows.length), 'n'));
  })));

  // Cases.
  var list = document.getElementById('case-list');
  var commands = [];
  data.cases.forEach(function (k) { k.commands.forEach(function (v) { if (commands.indexOf(v) < 0) commands.push(v); }); });
  commands.sort().forEach(function (v) { document.getElementById('f-command').appendChild(el('option', { text: v })); });
  var nodes = data.cases.map(function (k, i) {
    var g = k.gate;
    var tags = [];
    if (g && g.status !== 'ok') tags.push(el('span', { 'class': 'tag tag-' + g.status, text: g.status === 'xpass' ? 'unexpected pass' : g.status === 'expected' ? 'expected: ' + g.expected.reason : 'fails the gate' }));
    if (g && g.change && g.change !== 'new') tags.push(el('span', { 'class': 'tag tag-' + g.change, text: g.change + ' (was ' + g.baseline + ')' }));
    var summary = el('summary', null, badge(k.verdict), el('span', { 'class': 'case-id', text: k.label }), multi ? el('span', { 'class': 'tag', text: data.targets[k.target].key }) : null, el('span', { 'class': 'muted', text: k.level + ' · ' }), k.title, tags);
    var d = el('details', { 'class': 'case', id: 'case-' + i, 'data-verdict': k.verdict, 'data-level': k.level }, summary);
    d.addEventListener('toggle', function () { if (d.open && d.childNodes.length === 1) d.appendChild(body(k)); }, { once: false });
    return d;
  });
  function body(k) {
    var b = el('div', { 'class': 'case-body' });
    b.appendChild(el('div', { 'class': 'muted', text: k.ref + ' · ' + k.source + ' · ' + k.durationMs + ' ms' + (multi ? ' · ' + data.targets[k.target].key : '') }));
    b.appendChild(el('blockquote', { 'class': 'requirement', text: k.requirement }));
    if (k.reason) b.appendChild(el('p', { 'class': 'reason' }, el('strong', { text: k.verdict + ': ' }), k.reason));
    if (k.gate && k.gate.expected) b.appendChild(el('p', { 'class': 'muted', text: 'expectation: ' + k.gate.expected.verdicts.join('/') + ' — ' + k.gate.expected.reason }));
    if (k.expected || k.actual) b.appendChild(el('div', { 'class': 'ea' }, el('div', null, el('strong', { text: 'expected' }), el('pre', { 'class': 'expected', text: k.expected })), el('div', null, el('strong', { text: 'actual' }), el('pre', { 'class': 'actual', text: k.actual }))));
    if (k.deviations.length) b.appendChild(el('ul', { 'class': 'deviations' }, k.deviations.map(function (d) {
      return el('li', null, el('span', { 'class': 'dev', text: d.kind + ' (' + d.severity + ')' }), ' ' + d.message + (d.raw ? ' [' + d.raw + ']' : '') + ' — ' + d.ref + ': ', el('q', { text: d.requirement }));
    })));
    if (k.deviationsDropped) b.appendChild(el('p', { 'class': 'muted', text: k.deviationsDropped + ' further deviations dropped' }));
    b.appendChild(el('table', { 'class': 'transcript' }, el('tbody', null, k.transcript.map(function (e) {
      var dir = e.dir === 'c>s' ? 'cs' : e.dir === 's>c' ? 'sc' : 'note';
      return el('tr', { 'class': 'dir-' + dir + (e.dev ? ' deviant' : ''), 'data-dir': e.dir }, td('+' + e.t + 'ms'), td(e.conn || ''), td(e.dir === 'c>s' ? 'C →' : e.dir === 's>c' ? '← S' : '·'), td(e.text, 'text'), td(e.dev ? '⚠ ' + e.dev.join(', ') : '', 'dev'));
    }))));
    return b;
  }
  nodes.forEach(function (n) { list.appendChild(n); });
  function apply() {
    var v = document.getElementById('f-verdict').value, lv = document.getElementById('f-level').value, cmd = document.getElementById('f-command').value, q = document.getElementById('f-text').value.toLowerCase();
    var shown = 0;
    data.cases.forEach(function (k, i) {
      var st = k.gate ? k.gate.status : '';
      var okV = !v || (v === 'problems' ? (k.verdict === 'fail' || k.verdict === 'error' || k.verdict === 'warn' || st === 'xpass') && st !== 'expected' : v === 'expected' || v === 'xpass' ? st === v : v === 'regression' ? !!(k.gate && k.gate.change === 'regression') : k.verdict === v);
      var okL = !lv || k.level === lv;
      var okC = !cmd || k.commands.indexOf(cmd) >= 0;
      var okQ = !q || [k.label, k.title, k.reason, k.expected, k.actual, k.requirement].concat(k.transcript.map(function (e) { return e.text; })).join('\n').toLowerCase().indexOf(q) >= 0;
      var on = okV && okL && okC && okQ;
      nodes[i].hidden = !on;
      if (on) shown++;
    });
    document.getElementById('f-count').textContent = shown + ' of ' + data.cases.length + ' shown';
  }
  ['f-verdict', 'f-level', 'f-command', 'f-text'].forEach(function (id) { document.getElementById(id).addEventListener('input', apply); document.getElementById(id).addEventListener('change', apply); });
  apply();
  function openCase(i) { nodes[i].hidden = false; nodes[i].open = true; nodes[i].scrollIntoView(); }

  // Cases × targets (Autobahn-style), for several targets.
  if (multi) {
    var mx = document.getElementById('matrix');
    mx.hidden = false;
    var labels = [], index = {};
    data.cases.forEach(function (k, i) { if (!(k.label in index)) { index[k.label] = {}; labels.push(k.label); } index[k.label][k.target] = i; });
    mx.appendChild(table(['case'].concat(data.targets.map(function (t) { return t.key; })), labels.map(function (l) {
      return el('tr', null, td(l), data.targets.map(function (_t, ti) {
        var i = index[l][ti];
        return el('td', { 'class': 'mx' }, i === undefined ? badge('') : el('a', { href: '#case-' + i, onclick: function (ev) { ev.preventDefault(); openCase(i); } }, badge(data.cases[i].verdict)));
      }));
    })));
  }

  // Command × reply code, per target.
  var rp = document.getElementById('replies');
  data.targets.forEach(function (t) {
    if (multi) rp.appendChild(el('h3', { text: t.key }));
    rp.appendChild(table(['command'].concat(t.replies.codes), t.replies.rows.map(function (r) {
      return el('tr', null, td(r.verb), r.counts.map(function (n) { return td(n ? String(n) : '', 'n'); }));
    })));
  });

  if (data.coverage) {
    var cv = document.getElementById('coverage');
    cv.hidden = false;
    cv.appendChild(table(['rfc', 'statements', 'tested', 'untestable', 'missing'], data.coverage.map(function (r) {
      return el('tr', null, td(r.rfc), td(String(r.statements), 'n'), td(String(r.tested), 'n'), td(String(r.untestable), 'n'), td(String(r.missing), 'n'));
    })));
  }

  var withProfile = data.targets.filter(function (t) { return t.profile; });
  if (withProfile.length) {
    var pf = document.getElementById('profile');
    pf.hidden = false;
    withProfile.forEach(function (t) {
      var p = t.profile;
      pf.appendChild(el('h3', { text: p.title + ' (' + p.name + ')' + (multi ? ' — ' + t.key : '') }));
      pf.appendChild(table(['row', 'documented', 'status', 'cases', 'reason'], p.rows.map(function (r) {
        return el('tr', { 'data-status': r.status }, td(r.row), td(r.documented), td(r.status), td(r.cases.join(', ')), td(r.reason || ''));
      })));
    });
  }
})();
`;
