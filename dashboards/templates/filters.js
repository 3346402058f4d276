/* The page's filters (dashboards/filters.py): keep the embedded rows the reader chose, sum
   the additive measures again per group, recompute each rate as sum(numerator) /
   sum(denominator), and re-draw every chart, table and headline bound to a view. Nothing
   is fetched: the rows are in the page (script#page-data). */
(function () {
  'use strict';
  var source = document.getElementById('page-data');
  var form = document.querySelector('form.filters');
  if (!source || !form) return;
  var DIMENSIONS = { channel: 'channel', campaign: 'campaign', owner: 'owner', segment: 'segment' };
  var MISSING = '\u2013';
  var datasets = {};
  var parsed = JSON.parse(source.textContent).datasets;
  Object.keys(parsed).forEach(function (name) {
    var d = parsed[name];
    datasets[name] = {
      columns: d.columns,
      rows: d.rows.map(function (r) {
        var o = {};
        d.columns.forEach(function (c, i) { o[c] = r[i]; });
        return o;
      })
    };
  });

  // --- how numbers read: the same as dashboards/formatting.py ---------------------------
  function missing(v) { return v === null || v === undefined || (typeof v === 'number' && isNaN(v)); }
  function roundHalfEven(v) {
    var r = Math.round(v);
    return (Math.abs(v % 1) === 0.5 && r % 2 !== 0) ? r - 1 : r;
  }
  function grouped(v, digits) {
    return v.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
  }
  var FORMATS = {
    count: function (v) { return Number.isInteger(v) ? grouped(v, 0) : grouped(v, 1); },
    rate: function (v) { return (v * 100).toFixed(1) + '%'; },
    amount: function (v) { return grouped(roundHalfEven(v), 0); },
    hours: function (v) { return grouped(v, 1) + ' h'; },
    days: function (v) { return grouped(v, 1) + ' d'; },
    text: function (v) { return String(v); }
  };
  function formatted(v, kind) {
    if (missing(v)) return MISSING;
    return (FORMATS[kind] || FORMATS.text)(v);
  }
  var MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  function periodLabel(start, grain) {
    var m = +start.slice(5, 7);
    if (grain === 'month') return MONTHS[m - 1] + ' ' + start.slice(0, 4);
    if (grain === 'quarter') return 'Q' + (Math.floor((m - 1) / 3) + 1) + ' ' + start.slice(0, 4);
    return start;
  }
  function shortened(text, width) {
    text = String(text);
    return text.length <= width ? text : text.slice(0, width - 1).replace(/\s+$/, '') + '\u2026';
  }

  // --- periods: a day's period at a grain (weeks start on Monday, as in the marts) -------
  function two(n) { return (n < 10 ? '0' : '') + n; }
  function periodOf(day, grain) {
    if (grain === 'day') return day;
    if (grain === 'month') return day.slice(0, 7) + '-01';
    if (grain === 'quarter') {
      return day.slice(0, 4) + '-' + two(Math.floor((+day.slice(5, 7) - 1) / 3) * 3 + 1) + '-01';
    }
    var t = new Date(Date.UTC(+day.slice(0, 4), +day.slice(5, 7) - 1, +day.slice(8, 10)));
    t.setUTCDate(t.getUTCDate() - (t.getUTCDay() + 6) % 7);
    return t.toISOString().slice(0, 10);
  }

  // --- the reader's choice ---------------------------------------------------------------
  function chosen() {
    var state = { from: form.elements.from.value, to: form.elements.to.value, dims: {} };
    Object.keys(DIMENSIONS).forEach(function (d) {
      if (form.elements[d] && form.elements[d].value) state.dims[d] = form.elements[d].value;
    });
    return state;
  }
  function active(state) {
    return Object.keys(state.dims).length > 0 ||
      state.from !== form.elements.from.min || state.to !== form.elements.to.max;
  }
  function inRange(row, state) {
    if (row.day === undefined) return true;
    return (!state.from || row.day >= state.from) && (!state.to || row.day <= state.to);
  }
  // a view applies a dimension when its rows carry it and the view does not set it aside
  function applies(name, d, view) {
    return datasets[name].columns.indexOf(d) >= 0 && (!view || !view.ignore || view.ignore.indexOf(d) < 0);
  }
  function kept(name, state, withDimensions, view) {
    var data = datasets[name];
    return data.rows.filter(function (row) {
      if (!inRange(row, state)) return false;
      if (!withDimensions) return true;
      return Object.keys(state.dims).every(function (d) {
        return !applies(name, d, view) || String(row[d]) === state.dims[d];
      });
    });
  }
  // the chosen filters a view cannot apply (its rows do not carry them, or it sets them aside)
  function ignored(name, state, view) {
    var data = datasets[name];
    var out = Object.keys(state.dims).filter(function (d) { return !applies(name, d, view); });
    if ((state.from !== form.elements.from.min || state.to !== form.elements.to.max) &&
        data.columns.indexOf('day') < 0) out.push('date range');
    return out;
  }

  // --- a view's values per group ---------------------------------------------------------
  function groupOf(row, by) {
    if (!by) return '';
    if (by.indexOf('period:') === 0) return periodOf(row.day, by.slice(7));
    return missing(row[by]) ? '' : String(row[by]);
  }
  function evaluate(view, state) {
    var by = view.by;
    var mine = kept(view.data, state, true, view);
    var keys = [];
    var seen = {};
    function add(k) { if (!(k in seen)) { seen[k] = true; keys.push(k); } }
    if (!by) add('');
    else if (by.indexOf('period:') === 0) {
      // every period of the date range that holds rows at all: none chosen is a zero
      kept(view.data, state, false).forEach(function (r) { add(groupOf(r, by)); });
      keys.sort();
    } else mine.forEach(function (r) { add(groupOf(r, by)); });
    var values = keys.map(function (k) {
      return view.values.map(function (spec) {
        var rows = spec.data ? kept(spec.data, state, true, view) : mine;
        var sum = 0, per = 0;
        rows.forEach(function (r) {
          if (groupOf(r, by) !== k) return;
          if (spec.where && Object.keys(spec.where).some(function (c) { return r[c] !== spec.where[c]; })) return;
          sum += +r[spec.sum] || 0;
          if (spec.per) per += +r[spec.per] || 0;
        });
        return spec.per ? (per ? sum / per : null) : sum;
      });
    });
    var groups = keys.map(function (k, i) { return { key: k, values: values[i] }; });
    function size(g) {  // 'total': the sum of the values (the parts of a stacked bar)
      if (view.sort !== 'total') return g.values[view.sort] || 0;
      return g.values.reduce(function (a, v) { return a + (v || 0); }, 0);
    }
    if (view.sort !== undefined) {
      groups.sort(function (a, b) { return size(b) - size(a) || (a.key < b.key ? -1 : 1); });
    }
    if (view.tail) groups = groups.slice(-view.tail);
    if (view.reverse) groups.reverse();
    if (view.limit) groups = groups.slice(0, view.limit);
    return groups;
  }
  function label(key, view) {
    if (view.by && view.by.indexOf('period:') === 0) return periodLabel(key, view.by.slice(7));
    return key;
  }

  // --- re-drawing ------------------------------------------------------------------------
  function note(card, text) {
    if (!card) return;
    var p = card.querySelector(':scope > figcaption p.filter-note');
    if (!p && text) {
      p = document.createElement('p');
      p.className = 'filter-note';
      card.querySelector('figcaption').appendChild(p);
    }
    if (p) { p.textContent = text || ''; p.hidden = !text; }
  }
  function ignoredNote(view, state) {
    var names = ignored(view.data, state, view);
    return names.length ? 'Not filtered by ' + names.join(', ') + (view.why ? ': ' + view.why : '.') : '';
  }
  function drawChart(el, view, state) {
    var gd = el.querySelector('.js-plotly-plot');
    if (!gd || !window.Plotly) return;
    var groups = evaluate(view, state);
    var xs = [], ys = [], custom = [];
    view.values.forEach(function (spec, i) {
      var labels = groups.map(function (g) { return label(g.key, view); });
      var vals = groups.map(function (g) { return g.values[i]; });
      if (view.axis === 'y') {
        ys.push(labels.map(function (l) { return shortened(l, 48); }));
        xs.push(vals);
      } else { xs.push(labels); ys.push(vals); }
      custom.push(labels);
    });
    if (view.spread) {  // one trace, one point per value (the funnel's stages)
      xs = [groups.length ? groups[0].values : []];
      ys = [gd.data[0].y];
    }
    var update = { x: xs, y: ys };
    if (view.axis === 'y') update.customdata = custom;
    Plotly.restyle(gd, update, view.spread ? [0] : view.values.map(function (_, i) { return i; }));
    var card = el.closest('figure.card');
    note(card, groups.length ? ignoredNote(view, state) : 'No rows for these filters.');
  }
  function drawTable(table, view, state) {
    var kinds = view.kinds || [];
    var groups = evaluate(view, state);
    var body = table.tBodies[0];
    while (body.firstChild) body.removeChild(body.firstChild);
    groups.forEach(function (g) {
      var tr = document.createElement('tr');
      var th = document.createElement('td');
      th.className = 'text';
      th.textContent = label(g.key, view) || MISSING;
      tr.appendChild(th);
      g.values.forEach(function (v, i) {
        var td = document.createElement('td');
        td.className = 'number';
        td.textContent = formatted(v, kinds[i] || 'count');
        tr.appendChild(td);
      });
      body.appendChild(tr);
    });
    note(table.closest('figure.card'), groups.length ? ignoredNote(view, state) : 'No rows for these filters.');
  }
  function drawMetric(el, view, state) {
    var value = evaluate(view, state)[0].values[0];
    el.textContent = formatted(value, el.dataset.kind);
    el.dataset.value = missing(value) ? '' : String(value);
    var tile = el.closest('.metric');
    var names = ignored(view.data, state, view);
    var period = tile.querySelector('[data-period]');
    if (period) {
      if (!('whole' in period.dataset)) period.dataset.whole = period.textContent;
      var ranged = state.from !== form.elements.from.min || state.to !== form.elements.to.max;
      period.textContent = ranged && names.indexOf('date range') < 0
        ? state.from + ' \u2013 ' + state.to + ' (the chosen dates)' : period.dataset.whole;
    }
    tile.classList.toggle('unfiltered', names.length > 0);
    tile.title = names.length ? 'Not filtered by ' + names.join(', ') + (view.why ? ': ' + view.why : '') : '';
  }
  function views(selector) {
    return Array.prototype.map.call(document.querySelectorAll(selector), function (el) {
      return { el: el, view: JSON.parse(el.dataset.view) };
    });
  }
  var charts = views('.chart[data-view]');
  var tables = views('table[data-view]');
  var metrics = views('[data-metric][data-view]');

  function describe(state) {
    var parts = [];
    if (state.from !== form.elements.from.min || state.to !== form.elements.to.max) {
      parts.push((state.from || '\u2026') + ' \u2013 ' + (state.to || '\u2026'));
    }
    Object.keys(state.dims).forEach(function (d) {
      parts.push(form.elements[d].closest('label').firstChild.textContent.trim() + ': ' + state.dims[d]);
    });
    return parts.length
      ? 'Filtered: ' + parts.join(' \u00b7 ') + '. Faded cards and numbers are not filtered (all the data).'
      : 'Showing all the data on this page.';
  }
  function apply() {
    var state = chosen();
    var on = active(state);
    charts.forEach(function (c) { drawChart(c.el, c.view, state); });
    tables.forEach(function (t) { drawTable(t.el, t.view, state); });
    metrics.forEach(function (m) { drawMetric(m.el, m.view, state); });
    // what the filters cannot reach says so
    document.querySelectorAll('main figure.card').forEach(function (card) {
      var bound = card.querySelector('[data-view]');
      card.classList.toggle('unfiltered', on && !bound);
    });
    document.querySelectorAll('main > .metrics [data-metric]:not([data-view])').forEach(function (m) {
      m.closest('.metric').classList.toggle('unfiltered', on);
    });
    var out = form.querySelector('output');
    out.textContent = describe(state);
    out.classList.toggle('active', on);
    document.body.dataset.filtered = String(on);
  }
  form.addEventListener('change', apply);
  form.addEventListener('input', function (e) { if (e.target.type === 'date') apply(); });
  form.addEventListener('reset', function () { setTimeout(apply, 0); });
  window.sharedFunnelFilters = { apply: apply, evaluate: evaluate, periodOf: periodOf };
})();
