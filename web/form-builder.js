// The form builder (src/comune/forms/builder.ts): a palette of field types to drag into pages or add
// with buttons, fields reordered by drag and drop or buttons, an inspector, a preview rendered by the
// server. The schema textarea stays the source of truth: without this script it is edited by hand.
(function () {
  var root = document.getElementById('form-builder');
  var textarea = document.getElementById('field-formSchema');
  var form = document.getElementById('builder-form');
  if (!root || !textarea || !form) return;
  var strings = JSON.parse(root.dataset.i18n);
  var types = JSON.parse(root.dataset.types);
  var prefillSources = JSON.parse(root.dataset.prefill);
  var CHOICE = ['select', 'radio', 'selectboxes'];
  var TEXT = ['textfield', 'textarea', 'email', 'phoneNumber', 'codicefiscale', 'iban'];
  var LIMITS = ['number', 'day', 'datetime'];
  var schema = parse(textarea.value);
  if (!schema) return;
  var selected = null;
  var target = 0;
  var previewTimer;

  function parse(text) {
    try {
      var value = JSON.parse(text);
      return value && Array.isArray(value.components) ? value : null;
    } catch (e) {
      return null;
    }
  }
  function tr(key, vars) {
    var s = strings['builder.js.' + key] || key;
    Object.keys(vars || {}).forEach(function (k) { s = s.split('{' + k + '}').join(String(vars[k])); });
    return s;
  }
  function typeName(type) { return strings['builder.type.' + type] || type; }
  function wizard() { return schema.display === 'wizard'; }
  function pages() { return wizard() ? schema.components : [schema]; }
  function fieldsOf(i) { var p = pages()[i]; p.components = p.components || []; return p.components; }
  function pageLabel(i) { return wizard() ? (pages()[i].label || tr('page') + ' ' + (i + 1)) : tr('fields'); }
  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === 'text') node.textContent = attrs[k];
      else if (attrs[k] !== false && attrs[k] !== undefined) node.setAttribute(k, attrs[k] === true ? '' : attrs[k]);
    });
    (children || []).forEach(function (c) { if (c) node.appendChild(c); });
    return node;
  }
  function keys() {
    var found = [];
    (function walk(list) { (list || []).forEach(function (c) { found.push(c.key); walk(c.components); }); })(schema.components);
    return found;
  }
  function uniqueKey(base) {
    var taken = keys();
    for (var n = 1; ; n++) if (taken.indexOf(base + n) < 0) return base + n;
  }
  function newComponent(type) {
    var c = { type: type, key: uniqueKey(type), label: typeName(type), input: true };
    if (CHOICE.indexOf(type) >= 0) c.values = [1, 2].map(function (n) { return { value: 'opzione' + n, label: tr('option', { n: n }) }; });
    if (type === 'file') c.storage = 'sportello';
    return c;
  }

  var status = el('p', { class: 'visually-hidden', role: 'status', 'aria-live': 'polite' });
  var palette = el('section', { class: 'col-lg-3 form-builder-palette', 'aria-labelledby': 'builder-palette-title' });
  var pagesBox = el('section', { class: 'col-lg-5 form-builder-pages', 'aria-labelledby': 'builder-pages-title' });
  var inspector = el('section', { class: 'col-lg-4 form-builder-inspector', 'aria-labelledby': 'builder-inspector-title' });
  root.appendChild(el('div', { class: 'row g-4' }, [palette, pagesBox, inspector]));
  root.appendChild(status);
  root.hidden = false;

  function sync(message) {
    textarea.value = JSON.stringify(schema, null, 2);
    if (message) status.textContent = message;
    clearTimeout(previewTimer);
    previewTimer = setTimeout(preview, 500);
  }
  function preview() {
    var box = document.getElementById('form-preview');
    fetch(root.dataset.preview, { method: 'POST', credentials: 'same-origin', body: new URLSearchParams(new FormData(form)) })
      .then(function (response) { return response.ok ? response.text() : Promise.reject(new Error(String(response.status))); })
      .then(function (page) {
        var fresh = new DOMParser().parseFromString(page, 'text/html').getElementById('form-preview');
        if (fresh) box.replaceChildren.apply(box, Array.prototype.slice.call(fresh.childNodes).map(function (n) { return document.importNode(n, true); }));
      })
      .catch(function () { box.replaceChildren(el('p', { text: tr('previewFailed') })); });
  }

  function insert(page, index, component) {
    fieldsOf(page).splice(index, 0, component);
    selected = { page: page, index: index };
    renderAll();
    sync(tr('added', { label: component.label }));
  }
  function move(fromPage, from, toPage, to) {
    var moved = fieldsOf(fromPage).splice(from, 1)[0];
    if (fromPage === toPage && to > from) to--;
    fieldsOf(toPage).splice(to, 0, moved);
    selected = { page: toPage, index: to };
    renderPages();
    renderInspector();
    sync(tr('moved', { label: moved.label }));
    return to;
  }

  function renderPalette() {
    var select = el('select', { id: 'builder-target' }, pages().map(function (p, i) { return el('option', { value: String(i), selected: i === target, text: pageLabel(i) }); }));
    select.addEventListener('change', function () { target = Number(select.value); });
    palette.replaceChildren(
      el('h2', { class: 'h5', id: 'builder-palette-title', text: tr('palette') }),
      el('p', { class: 'small', text: tr('paletteHelp') }),
      el('div', { class: 'select-wrapper mb-3' }, [el('label', { for: 'builder-target', text: tr('target') }), select]),
      el('ul', { class: 'list-unstyled form-builder-types' }, types.map(function (type) {
        var add = el('button', { type: 'button', class: 'btn btn-sm btn-outline-primary', 'aria-label': tr('addLabel', { type: typeName(type) }), text: tr('add') });
        add.addEventListener('click', function () { insert(target, fieldsOf(target).length, newComponent(type)); });
        var item = el('li', { class: 'form-builder-type', draggable: 'true', 'data-type': type }, [el('span', { text: typeName(type) }), add]);
        item.addEventListener('dragstart', function (e) { e.dataTransfer.setData('text/plain', 'new:' + type); });
        return item;
      })),
    );
  }

  function button(label, action, fieldLabel, onClick, disabled) {
    var b = el('button', { type: 'button', class: 'btn btn-sm btn-outline-secondary', 'data-action': action, 'aria-label': tr('itemLabel', { action: label, label: fieldLabel }), disabled: disabled, text: label });
    b.addEventListener('click', onClick);
    return b;
  }
  function focusAction(page, index, action) {
    var item = pagesBox.querySelector('[data-page="' + page + '"][data-index="' + index + '"] [data-action="' + action + '"]:not([disabled])') ||
      pagesBox.querySelector('[data-page="' + page + '"][data-index="' + index + '"] [data-action="edit"]');
    if (item) item.focus();
  }
  function dropAt(e, page, index) {
    e.preventDefault();
    e.stopPropagation();
    var data = e.dataTransfer.getData('text/plain').split(':');
    if (data[0] === 'new' && types.indexOf(data[1]) >= 0) insert(page, index, newComponent(data[1]));
    else if (data[0] === 'move') move(Number(data[1]), Number(data[2]), page, index);
  }
  function renderPages() {
    var children = [el('h2', { class: 'h5', id: 'builder-pages-title', text: tr('pages') })];
    pages().forEach(function (p, pi) {
      var fields = fieldsOf(pi);
      var list = el('ol', { class: 'list-unstyled form-builder-fields', 'aria-labelledby': 'builder-page-' + pi });
      list.addEventListener('dragover', function (e) { e.preventDefault(); });
      list.addEventListener('drop', function (e) { dropAt(e, pi, fields.length); });
      fields.forEach(function (c, i) {
        var label = c.label || c.key;
        var item = el('li', { class: 'form-builder-field' + (selected && selected.page === pi && selected.index === i ? ' form-builder-selected' : ''), draggable: 'true', 'data-page': String(pi), 'data-index': String(i) }, [
          el('span', { class: 'form-builder-field-name' }, [document.createTextNode(label + ' '), el('small', { text: '(' + typeName(c.type) + ' · ' + c.key + ')' })]),
          el('span', { class: 'form-builder-actions' }, [
            button(tr('edit'), 'edit', label, function () { selected = { page: pi, index: i }; renderPages(); renderInspector(); var first = inspector.querySelector('input'); if (first) first.focus(); }),
            button(tr('up'), 'up', label, function () { focusAction(pi, move(pi, i, pi, i - 1), 'up'); }, i === 0),
            button(tr('down'), 'down', label, function () { focusAction(pi, move(pi, i, pi, i + 2), 'down'); }, i === fields.length - 1),
            button(tr('remove'), 'remove', label, function () {
              fields.splice(i, 1);
              selected = null;
              renderAll();
              sync(tr('removed', { label: label }));
              var next = pagesBox.querySelectorAll('[data-action="edit"]')[0];
              if (next) next.focus();
            }),
          ]),
        ]);
        item.addEventListener('dragstart', function (e) { e.dataTransfer.setData('text/plain', 'move:' + pi + ':' + i); });
        item.addEventListener('dragover', function (e) { e.preventDefault(); });
        item.addEventListener('drop', function (e) { dropAt(e, pi, i); });
        list.appendChild(item);
      });
      if (!fields.length) list.appendChild(el('li', { class: 'form-builder-empty', text: tr('empty') }));
      children.push(el('div', { class: 'form-builder-page' }, [el('h3', { class: 'h6', id: 'builder-page-' + pi, text: pageLabel(pi) }), list]));
    });
    if (wizard()) {
      var addPage = el('button', { type: 'button', class: 'btn btn-sm btn-outline-primary', text: tr('addPage') });
      addPage.addEventListener('click', function () {
        var n = schema.components.length + 1;
        schema.components.push({ type: 'panel', key: uniqueKey('pagina'), label: tr('page') + ' ' + n, components: [] });
        target = schema.components.length - 1;
        renderAll();
        sync();
      });
      children.push(addPage);
    }
    pagesBox.replaceChildren.apply(pagesBox, children);
  }

  function input(id, label, value, type, onChange) {
    var field = el('input', { id: 'builder-insp-' + id, type: type || 'text', class: 'form-control', value: value === undefined || value === null ? '' : String(value) });
    field.addEventListener('change', function () { onChange(field.value); });
    return el('div', { class: 'form-group' }, [el('label', { for: field.id, class: 'active', text: label }), field]);
  }
  function renderInspector() {
    var head = el('h2', { class: 'h5', id: 'builder-inspector-title', text: tr('inspector') });
    var c = selected && fieldsOf(selected.page)[selected.index];
    if (!c) return inspector.replaceChildren(head, el('p', { class: 'small', text: tr('inspectorEmpty') }));
    function set(apply) { return function (value) { apply(value); renderPages(); sync(); }; }
    function validate(name, number) { return set(function (v) { c.validate = c.validate || {}; if (v === '') delete c.validate[name]; else c.validate[name] = number ? Number(v) : v; }); }
    var required = el('input', { id: 'builder-insp-required', type: 'checkbox', class: 'form-check-input', checked: Boolean(c.validate && c.validate.required) });
    required.addEventListener('change', set(function () { c.validate = c.validate || {}; c.validate.required = required.checked; }));
    var parts = [
      head,
      el('p', { class: 'small', text: typeName(c.type) }),
      input('label', tr('label'), c.label, 'text', set(function (v) { c.label = v; })),
      input('key', tr('key'), c.key, 'text', set(function (v) { c.key = v.trim(); })),
      input('description', tr('description'), c.description, 'text', set(function (v) { if (v) c.description = v; else delete c.description; })),
      el('div', { class: 'form-check mt-3' }, [required, el('label', { for: 'builder-insp-required', class: 'form-check-label', text: tr('required') })]),
    ];
    var v = c.validate || {};
    if (LIMITS.indexOf(c.type) >= 0) {
      var number = c.type === 'number';
      parts.push(input('min', tr('min'), v.min, number ? 'number' : 'text', validate('min', number)), input('max', tr('max'), v.max, number ? 'number' : 'text', validate('max', number)));
    }
    if (TEXT.indexOf(c.type) >= 0) {
      parts.push(input('minLength', tr('minLength'), v.minLength, 'number', validate('minLength', true)), input('maxLength', tr('maxLength'), v.maxLength, 'number', validate('maxLength', true)), input('pattern', tr('pattern'), v.pattern, 'text', validate('pattern', false)));
    }
    if (CHOICE.indexOf(c.type) >= 0) {
      var options = el('textarea', { id: 'builder-insp-options', class: 'form-control', rows: '4' });
      options.value = (c.values || []).map(function (o) { return o.value + '|' + o.label; }).join('\n');
      options.addEventListener('change', set(function () {
        c.values = options.value.split('\n').map(function (line) { return line.trim(); }).filter(Boolean).map(function (line) {
          var bar = line.indexOf('|');
          return bar < 0 ? { value: line, label: line } : { value: line.slice(0, bar).trim(), label: line.slice(bar + 1).trim() };
        });
      }));
      parts.push(el('div', { class: 'form-group' }, [el('label', { for: options.id, class: 'active', text: tr('options') }), options]));
    }
    var cond = c.conditional || {};
    function conditional(name) {
      return set(function (value) {
        var next = { show: true, when: cond.when || '', eq: cond.eq || '' };
        next[name] = value.trim();
        if (next.when) c.conditional = next; else delete c.conditional;
        cond = next;
      });
    }
    parts.push(input('when', tr('conditionalWhen'), cond.when, 'text', conditional('when')), input('eq', tr('conditionalEq'), cond.eq, 'text', conditional('eq')));
    var prefill = el('select', { id: 'builder-insp-prefill' }, [el('option', { value: '', text: tr('none') })].concat(prefillSources.map(function (s) {
      return el('option', { value: s, selected: Boolean(c.properties && c.properties.prefill === s), text: s });
    })));
    prefill.addEventListener('change', set(function () {
      if (prefill.value) c.properties = Object.assign({}, c.properties, { prefill: prefill.value });
      else if (c.properties) delete c.properties.prefill;
    }));
    parts.push(el('div', { class: 'select-wrapper mt-3' }, [el('label', { for: prefill.id, text: tr('prefill') }), prefill]));
    inspector.replaceChildren.apply(inspector, parts);
  }
  function renderAll() {
    renderPalette();
    renderPages();
    renderInspector();
  }

  // A hand edit of the JSON, when it parses, redraws the builder.
  textarea.addEventListener('change', function () {
    var edited = parse(textarea.value);
    if (!edited) return;
    schema = edited;
    selected = null;
    target = 0;
    renderAll();
    sync();
  });
  renderAll();
})();
