/* The desk's small enhancements (no build step): a confirmation before what cannot be
   undone, the QR page's wait for the phone, and charts drawn from the JSON under them. */
(function () {
  'use strict';

  // <form data-confirm="确定…？">: ask first, in large type on the page itself (the
  // browser's own confirm box is small system text titled with the server's address);
  // 取消 (the first focus, and Esc) keeps the page as it is.
  function ask(question, answer) {
    if (typeof HTMLDialogElement !== 'function') { answer(window.confirm(question)); return; }
    var dialog = document.createElement('dialog');
    dialog.className = 'confirm-dialog';
    dialog.setAttribute('role', 'alertdialog');
    dialog.setAttribute('aria-modal', 'true');
    var text = document.createElement('p');
    text.className = 'question';
    text.id = 'confirm-question';
    text.textContent = question;
    dialog.setAttribute('aria-labelledby', 'confirm-question');
    var buttons = document.createElement('div');
    buttons.className = 'confirm-buttons';
    var yes = document.createElement('button');
    yes.type = 'button';
    yes.className = 'button';
    yes.textContent = '确定';
    var no = document.createElement('button');
    no.type = 'button';
    no.className = 'button quiet';
    no.textContent = '取消';
    buttons.appendChild(yes);
    buttons.appendChild(no);
    dialog.appendChild(text);
    dialog.appendChild(buttons);
    document.body.appendChild(dialog);
    var said = false;
    function done(value) {
      if (said) { return; }
      said = true;
      dialog.close();
      dialog.remove();
      answer(value);
    }
    yes.addEventListener('click', function () { done(true); });
    no.addEventListener('click', function () { done(false); });
    dialog.addEventListener('close', function () { done(false); });  // Esc
    dialog.showModal();
    no.focus();
  }

  // <form data-confirm="把 {amount_yuan} 元…" data-confirm-fill>: the question says
  // what was typed (the amount of a refund), each {name} the form's field of that name.
  function fill(form, question) {
    if (!form.hasAttribute('data-confirm-fill')) { return question; }
    return question.replace(/\{(\w+)\}/g, function (token, name) {
      var field = form.elements[name];
      return field && typeof field.value === 'string' ? field.value.trim() : token;
    });
  }

  document.addEventListener('submit', function (event) {
    var form = event.target;
    var question = form.getAttribute && form.getAttribute('data-confirm');
    if (question) { question = fill(form, question); }
    if (question && form.dataset.confirmed !== 'yes') {
      event.preventDefault();
      var submitter = event.submitter || null;
      ask(question, function (yes) {
        if (!yes) { return; }
        form.dataset.confirmed = 'yes';
        if (form.requestSubmit) { form.requestSubmit(submitter); } else { form.submit(); }
      });
      return;
    }
    delete form.dataset.confirmed;
    // One submission: a second click does not send the same action twice.
    if (!event.defaultPrevented && form.method && form.method.toLowerCase() === 'post') {
      Array.prototype.forEach.call(form.querySelectorAll('button[type=submit]'), function (b) {
        setTimeout(function () { b.disabled = true; }, 0);
      });
    }
  });

  // The QR page: ask every 1.5 s whether the phone confirmed; then sign in.
  function waitForPhone(form) {
    var state = document.getElementById('login-state');
    var url = form.getAttribute('data-state-url');
    function poll() {
      fetch(url, { credentials: 'same-origin', headers: { 'X-Requested-With': 'fetch' } })
        .then(function (r) { return r.json(); })
        .then(function (answer) {
          if (answer.state === 'confirmed') {
            state.textContent = '手机已确认，正在登录…';
            form.submit();
          } else if (answer.state === 'expired') {
            state.textContent = '二维码已过期，正在换新的…';
            window.location.reload();
          } else {
            setTimeout(poll, 1500);
          }
        })
        .catch(function () { setTimeout(poll, 3000); });
    }
    poll();
  }

  // <div class="chart" data-chart="id-of-json">: {type, categories, series: [{name, data}], unit}
  // Chart text follows the page's (and the browser's font setting): 16 px at the default.
  function textSize() {
    var body = parseFloat(window.getComputedStyle(document.body).fontSize) || 18;
    return Math.max(16, Math.round(body * 0.9));
  }

  function option(spec) {
    var unit = spec.unit || '';
    var size = textSize();
    var base = {
      textStyle: { fontSize: size, fontFamily: 'Noto Sans CJK SC, Microsoft YaHei, sans-serif' },
      tooltip: { trigger: spec.type === 'pie' ? 'item' : 'axis', valueFormatter: function (v) { return v + unit; } },
      legend: { top: 0, textStyle: { fontSize: size } },
      aria: { enabled: true },
      color: ['#0a4f96', '#c2410c', '#0b5e2a', '#6b21a8', '#9b1111', '#475569'],
      animation: false
    };
    if (spec.type === 'pie') {
      base.series = [{ type: 'pie', radius: ['35%', '65%'], label: { fontSize: size, formatter: '{b}：{c}' + unit },
        data: spec.categories.map(function (name, i) { return { name: name, value: spec.series[0].data[i] }; }) }];
      return base;
    }
    base.grid = { left: 16, right: 24, top: 48, bottom: 16, containLabel: true };
    base.xAxis = { type: 'category', data: spec.categories, axisLabel: { fontSize: size } };
    // Counts (households, issues) are whole: no "2.5户" on the axis.
    var whole = spec.series.every(function (s) {
      return s.data.every(function (v) { return v === null || Math.round(v) === v; });
    });
    base.yAxis = { type: 'value', minInterval: whole ? 1 : undefined,
      axisLabel: { fontSize: size, formatter: '{value}' + unit } };
    base.series = spec.series.map(function (s) {
      return { name: s.name, type: spec.type || 'bar', data: s.data, stack: spec.stacked ? 'all' : undefined,
        label: { show: spec.categories.length <= 12, position: spec.stacked ? 'inside' : 'top', fontSize: size } };
    });
    return base;
  }

  function drawCharts() {
    var nodes = document.querySelectorAll('.chart[data-chart]');
    if (!nodes.length) { return; }
    if (!window.echarts) { document.documentElement.dataset.charts = 'missing'; return; }
    var charts = [];
    Array.prototype.forEach.call(nodes, function (node) {
      var spec = JSON.parse(document.getElementById(node.getAttribute('data-chart')).textContent);
      var chart = window.echarts.init(node, null, { renderer: 'svg' });
      chart.setOption(option(spec));
      charts.push(chart);
    });
    window.addEventListener('resize', function () { charts.forEach(function (c) { c.resize(); }); });
    document.documentElement.dataset.charts = String(charts.length);  // tests wait on it
  }

  // After an action, its message (base.html's flash, with a role) is in view even when
  // the menu stands above the page (large text, a short window): the page scrolls to it.
  function showMessage() {
    var flash = document.querySelector('main > .flash[role]');
    if (!flash) { return; }
    var box = flash.getBoundingClientRect();
    if (box.top < 0 || box.bottom > window.innerHeight) {
      document.getElementById('main').scrollIntoView({ block: 'start' });
    }
  }

  document.addEventListener('DOMContentLoaded', function () {
    var login = document.getElementById('login-finish');
    if (login) { waitForPhone(login); }
    showMessage();
    drawCharts();
  });
})();
