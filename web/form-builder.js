// The form builder (src/comune/forms/builder.ts): a palette of field types to drag into pages or repeating
// groups or add with buttons, fields reordered by drag and drop or buttons, an inspector (with the texts in
// every language), a preview rendered by the server. The schema textarea stays the source of truth: without
// this script it is edited by hand.
(function () {
  var root = document.getElementById('form-builder');
  var textarea = document.getElementById('field-formSchema');
  var form = document.getElementById('builder-form');
  if (!root || !textarea || !form) return;
  var strings = JSON.parse(root.dataset.i18n);
  var types = JSON.parse(root.dataset.types);
  var grids = JSON.parse(root.dataset.grids);
  var languages = JSON.parse(root.dataset.languages);
  var prefillSources = JSON.parse(root.dataset.prefill); // by field type: the sources that fit it
  var choiceSources = JSON.parse(root.dataset.choices);
  var CHOICE = ['select', 'radio', 'selectboxes'];
  var TEXT = ['textfield', 'textarea', 'email', 'phoneNumber', 'codicefiscale', 'iban'];
  var LIMITS = ['number', 'day', 'datetime'];
  var OTHER_LANGUAGES = Object.keys(languages).filter(function (l) { return l !== 'it'; });
  var schema = parse(textarea.value);
  if (!schema) return;
  // A list of components is named "pages" (a wizard's panels), "p" (the fields of page p) or "p.g" (the row of group g on page p).
  var selected = null;
  var target = '0';
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
  // A schema text: a plain string (Italian) or {it, en, de}.
  function textOf(t, lang) {
    if (typeof t === 'string') return lang && lang !== 'it' ? '' : t;
    return (t && t[lang || 'it']) || '';
  }
  function setText(current, lang, value) {
    var t = typeof current === 'object' && current ? Object.assign({}, current) : { it: current || '' };
    value = value.trim();
    if (value) t[lang] = value; else if (lang === 'it') t.it = ''; else delete t[lang];
    return Object.keys(t).length > 1 ? t : t.it || undefined;
  }
  function isGrid(c) { return grids.indexOf(c.type) >= 0; }
  function wizard() { return schema.display === 'wizard'; }
  function pages() { return wizard() ? schema.components : [schema]; }
  function listOf(id) {
    if (id === 'pages') return schema.components;
    var parts = id.split('.');
    var page = pages()[Number(parts[0])];
    if (!page) return null;
    page.components = page.components || [];
    if (parts.length === 1) return page.components;
    var group = page.components[Number(parts[1])];
    return group && isGrid(group) ? (group.components = group.components || []) : null;
  }
  function inGroup(id) { return id.indexOf('.') >= 0; }
  function pageLabel(i) { return wizard() ? (textOf(pages()[i].label) || tr('page') + ' ' + (i + 1)) : tr('fields'); }
  function listLabel(id) {
    var parts = id.split('.');
    if (parts.length === 1) return pageLabel(Number(parts[0]));
    var group = listOf(parts[0])[Number(parts[1])];
    return tr('targetGroup', { page: pageLabel(Number(parts[0])), group: textOf(group.label) || group.key });
  }
  function targets() {
    var ids = [];
    pages().forEach(function (p, pi) {
      ids.push(String(pi));
      listOf(String(pi)).forEach(function (c, i) { if (isGrid(c)) ids.push(pi + '.' + i); });
    });
    return ids;
  }
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
  function defaultValues() { return [1, 2].map(function (n) { return { value: 'opzione' + n, label: tr('option', { n: n }) }; }); }
  function newComponent(type) {
    var c = { type: type, key: uniqueKey(type), label: typeName(type), input: true };
    if (CHOICE.indexOf(type) >= 0) c.values = defaultValues();
    if (type === 'file') c.storage = 'sportello';
    // A repeating group starts with one field in its row (a group is never empty).
    if (grids.indexOf(type) >= 0) c.components = [{ type: 'textfield', key: uniqueKey('textfield'), label: typeName('textfield'), input: true }];
    return c;
  }

  var status = el('p', { class: 'visually-hidden', role: 'status', 'aria-live': 'polite' });
  var palette = el('section', { class: 'col-lg-3 form-builder-palette', 'aria-labelledby': 'builder-palette-title' });
  var pagesBox = el('section', { class: 'col-lg-5 form-builder-pages', 'aria-labelledby': 'builder-pages-title' });
  var inspector = el('section', { class: 'col-lg-4 form-builder-inspector', 'aria-labelledby': 'builder-inspector-title' });
  root.appendChild(el('div', { class: 'row g-4' }, [palette, pagesBox, inspector]));
  root.appendChild(status);
  root.hidden = false;

  function say(message) { status.textContent = message; }
  function sync(message) {
    textarea.value = JSON.stringify(schema, null, 2);
    if (message) say(message);
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

  function insert(id, index, component) {
    if (inGroup(id) && isGrid(component)) return say(tr('noNesting'));
    listOf(id).splice(index, 0, component);
    selected = { list: id, index: index };
    renderAll();
    sync(tr('added', { label: textOf(component.label) }));
  }
  function move(fromId, from, toId, to) {
    var source = listOf(fromId);
    var moved = source[from];
    if (inGroup(toId) && isGrid(moved)) { say(tr('noNesting')); return from; }
    if (inGroup(fromId) && fromId !== toId && source.length === 1) return from; // a group keeps a field
    source.splice(from, 1);
    if (fromId === toId && to > from) to--;
    listOf(toId).splice(to, 0, moved);
    selected = { list: toId, index: to };
    renderAll();
    sync(tr('moved', { label: textOf(moved.label) }));
    return to;
  }

  function renderPalette() {
    if (targets().indexOf(target) < 0) target = '0';
    var select = el('select', { id: 'builder-target' }, targets().map(function (id) { return el('option', { value: id, selected: id === target, text: listLabel(id) }); }));
    select.addEventListener('change', function () { target = select.value; });
    palette.replaceChildren(
      el('h2', { class: 'h5', id: 'builder-palette-title', text: tr('palette') }),
      el('p', { class: 'small', text: tr('paletteHelp') }),
      el('div', { class: 'select-wrapper mb-3' }, [el('label', { for: 'builder-target', text: tr('target') }), select]),
      el('ul', { class: 'list-unstyled form-builder-types' }, types.map(function (type) {
        var add = el('button', { type: 'button', class: 'btn btn-sm btn-outline-primary', 'aria-label': tr('addLabel', { type: typeName(type) }), text: tr('add') });
        add.addEventListener('click', function () { insert(target, listOf(target).length, newComponent(type)); });
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
  function focusAction(id, index, action) {
    var at = '[data-list="' + id + '"][data-index="' + index + '"] > .form-builder-actions ';
    var item = pagesBox.querySelector(at + '[data-action="' + action + '"]:not([disabled])') || pagesBox.querySelector(at + '[data-action="edit"]');
    if (item) item.focus();
  }
  function dropAt(e, id, index) {
    e.preventDefault();
    e.stopPropagation();
    var data = e.dataTransfer.getData('text/plain').split(':');
    if (data[0] === 'new' && types.indexOf(data[1]) >= 0) insert(id, index, newComponent(data[1]));
    else if (data[0] === 'move') move(data[1], Number(data[2]), id, index);
  }
  function edit(id, index) {
    selected = { list: id, index: index };
    renderPages();
    renderInspector();
    var first = inspector.querySelector('input');
    if (first) first.focus();
  }
  function renderList(id, labelledBy) {
    var fields = listOf(id);
    var group = inGroup(id);
    var list = el('ol', { class: 'list-unstyled form-builder-fields' + (group ? ' form-builder-group' : ''), 'aria-labelledby': labelledBy });
    list.addEventListener('dragover', function (e) { e.preventDefault(); });
    list.addEventListener('drop', function (e) { dropAt(e, id, fields.length); });
    fields.forEach(function (c, i) {
      var label = textOf(c.label) || c.key;
      var item = el('li', { class: (group ? 'form-builder-child' : 'form-builder-field') + (selected && selected.list === id && selected.index === i ? ' form-builder-selected' : ''), draggable: 'true', 'data-list': id, 'data-index': String(i) }, [
        el('span', { class: 'form-builder-field-name' }, [document.createTextNode(label + ' '), el('small', { text: '(' + typeName(c.type) + ' · ' + c.key + ')' })]),
        el('span', { class: 'form-builder-actions' }, [
          button(tr('edit'), 'edit', label, function () { edit(id, i); }),
          button(tr('up'), 'up', label, function () { focusAction(id, move(id, i, id, i - 1), 'up'); }, i === 0),
          button(tr('down'), 'down', label, function () { focusAction(id, move(id, i, id, i + 2), 'down'); }, i === fields.length - 1),
          button(tr('remove'), 'remove', label, function () {
            fields.splice(i, 1);
            selected = null;
            renderAll();
            sync(tr('removed', { label: label }));
            var next = pagesBox.querySelector('[data-action="edit"]');
            if (next) next.focus();
          }, group && fields.length === 1),
        ]),
      ]);
      if (isGrid(c) && !group) {
        var title = 'builder-group-' + id + '-' + i;
        item.appendChild(el('div', { class: 'form-builder-group-box' }, [el('p', { class: 'small mb-1', id: title, text: tr('groupFields', { label: label }) }), renderList(id + '.' + i, title)]));
      }
      item.addEventListener('dragstart', function (e) { e.stopPropagation(); e.dataTransfer.setData('text/plain', 'move:' + id + ':' + i); });
      item.addEventListener('dragover', function (e) { e.preventDefault(); });
      item.addEventListener('drop', function (e) { dropAt(e, id, i); });
      list.appendChild(item);
    });
    if (!fields.length) list.appendChild(el('li', { class: 'form-builder-empty', text: tr('empty') }));
    return list;
  }
  function renderPages() {
    var children = [el('h2', { class: 'h5', id: 'builder-pages-title', text: tr('pages') })];
    pages().forEach(function (p, pi) {
      var heading = el('h3', { class: 'h6', id: 'builder-page-' + pi, text: pageLabel(pi) });
      var head = wizard()
        ? el('div', { class: 'd-flex justify-content-between align-items-center' + (selected && selected.list === 'pages' && selected.index === pi ? ' form-builder-selected' : ''), 'data-list': 'pages', 'data-index': String(pi) }, [heading, el('span', { class: 'form-builder-actions' }, [button(tr('edit'), 'edit', pageLabel(pi), function () { edit('pages', pi); })])])
        : heading;
      children.push(el('div', { class: 'form-builder-page' }, [head, renderList(String(pi), 'builder-page-' + pi)]));
    });
    if (wizard()) {
      var addPage = el('button', { type: 'button', class: 'btn btn-sm btn-outline-primary', text: tr('addPage') });
      addPage.addEventListener('click', function () {
        var n = schema.components.length + 1;
        schema.components.push({ type: 'panel', key: uniqueKey('pagina'), label: tr('page') + ' ' + n, components: [] });
        target = String(schema.components.length - 1);
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
    var list = selected && listOf(selected.list);
    var c = list && list[selected.index];
    if (!c) return inspector.replaceChildren(head, el('p', { class: 'small', text: tr('inspectorEmpty') }));
    function set(apply) { return function (value) { apply(value); renderPages(); renderPalette(); sync(); }; }
    function validate(name, number) { return set(function (v) { c.validate = c.validate || {}; if (v === '') delete c.validate[name]; else c.validate[name] = number ? Number(v) : v; }); }
    function errorText(code, lang) {
      return set(function (v) {
        c.errors = c.errors || {};
        var next = setText(c.errors[code], lang, v);
        if (next === undefined) delete c.errors[code]; else c.errors[code] = next;
        if (!Object.keys(c.errors).length) delete c.errors;
      });
    }
    var panel = c.type === 'panel';
    var parts = [
      head,
      el('p', { class: 'small', text: panel ? pageLabel(selected.index) : typeName(c.type) }),
      input('label', tr('label'), textOf(c.label), 'text', set(function (v) { c.label = setText(c.label, 'it', v) || ''; })),
      input('key', tr('key'), c.key, 'text', set(function (v) { c.key = v.trim(); })),
    ];
    var translations = OTHER_LANGUAGES.map(function (lang) {
      return input('label-' + lang, tr('labelIn', { language: languages[lang] }), textOf(c.label, lang), 'text', set(function (v) { c.label = setText(c.label, lang, v) || ''; }));
    });
    if (!panel) {
      parts.push(input('description', tr('description'), textOf(c.description), 'text', set(function (v) { var d = setText(c.description, 'it', v); if (d) c.description = d; else delete c.description; })));
      OTHER_LANGUAGES.forEach(function (lang) {
        translations.push(input('description-' + lang, tr('descriptionIn', { language: languages[lang] }), textOf(c.description, lang), 'text', set(function (v) { var d = setText(c.description, lang, v); if (d) c.description = d; else delete c.description; })));
      });
      var required = el('input', { id: 'builder-insp-required', type: 'checkbox', class: 'form-check-input', checked: Boolean(c.validate && c.validate.required) });
      required.addEventListener('change', set(function () { c.validate = c.validate || {}; c.validate.required = required.checked; }));
      parts.push(el('div', { class: 'form-check mt-3' }, [required, el('label', { for: 'builder-insp-required', class: 'form-check-label', text: tr('required') })]));
    }
    var v = c.validate || {};
    if (LIMITS.indexOf(c.type) >= 0) {
      var number = c.type === 'number';
      parts.push(input('min', tr('min'), v.min, number ? 'number' : 'text', validate('min', number)), input('max', tr('max'), v.max, number ? 'number' : 'text', validate('max', number)));
    }
    if (TEXT.indexOf(c.type) >= 0) {
      parts.push(input('minLength', tr('minLength'), v.minLength, 'number', validate('minLength', true)), input('maxLength', tr('maxLength'), v.maxLength, 'number', validate('maxLength', true)), input('pattern', tr('pattern'), v.pattern, 'text', validate('pattern', false)));
    }
    if (isGrid(c)) {
      parts.push(input('minRows', tr('minRows'), v.minLength, 'number', validate('minLength', true)), input('maxRows', tr('maxRows'), v.maxLength, 'number', validate('maxLength', true)));
    }
    var fed = c.properties && choiceSources.indexOf(c.properties.prefill) >= 0;
    if (CHOICE.indexOf(c.type) >= 0 && !fed) {
      var options = el('textarea', { id: 'builder-insp-options', class: 'form-control', rows: '4' });
      options.value = (c.values || []).map(function (o) {
        return [o.value, textOf(o.label)].concat(OTHER_LANGUAGES.map(function (l) { return textOf(o.label, l); })).join('|').replace(/\|+$/, '');
      }).join('\n');
      options.addEventListener('change', set(function () {
        c.values = options.value.split('\n').map(function (line) { return line.trim(); }).filter(Boolean).map(function (line) {
          var cells = line.split('|').map(function (cell) { return cell.trim(); });
          var label = cells[1] || cells[0];
          OTHER_LANGUAGES.forEach(function (l, n) { if (cells[n + 2]) label = setText(label, l, cells[n + 2]); });
          return { value: cells[0], label: label };
        });
      }));
      parts.push(el('div', { class: 'form-group' }, [el('label', { for: options.id, class: 'active', text: tr('options') }), options]));
    }
    if (!panel) {
      Object.keys(languages).forEach(function (lang) {
        var errors = c.errors || {};
        translations.push(input('error-required-' + lang, tr('errorRequired', { language: languages[lang] }), textOf(errors.required, lang), 'text', errorText('required', lang)));
        if (TEXT.indexOf(c.type) >= 0 && v.pattern) translations.push(input('error-pattern-' + lang, tr('errorPattern', { language: languages[lang] }), textOf(errors.pattern, lang), 'text', errorText('pattern', lang)));
      });
    }
    parts.push(el('fieldset', { class: 'mt-3' }, [el('legend', { class: 'h6', text: tr('translations') }), el('p', { class: 'small', text: tr('translationsHelp') })].concat(translations)));
    if (panel) return inspector.replaceChildren.apply(inspector, parts);
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
    if ((prefillSources[c.type] || []).length) {
      var prefill = el('select', { id: 'builder-insp-prefill' }, [el('option', { value: '', text: tr('none') })].concat((prefillSources[c.type] || []).map(function (s) {
        return el('option', { value: s, selected: Boolean(c.properties && c.properties.prefill === s), text: s });
      })));
      prefill.addEventListener('change', function () {
        if (prefill.value) c.properties = Object.assign({}, c.properties, { prefill: prefill.value });
        else if (c.properties) delete c.properties.prefill;
        // A list source gives the options; without it the field lists its own.
        if (choiceSources.indexOf(prefill.value) >= 0) delete c.values;
        else if (CHOICE.indexOf(c.type) >= 0 && !c.values) c.values = defaultValues();
        renderInspector();
        renderPages();
        sync();
        document.getElementById('builder-insp-prefill').focus();
      });
      parts.push(el('div', { class: 'select-wrapper mt-3' }, [el('label', { for: prefill.id, text: tr('prefill') }), prefill]));
    }
    inspector.replaceChildren.apply(inspector, parts);
  }
  function renderAll() {
    renderPalette();
    renderPages();
    renderInspector();
  }

  var previewLocale = document.getElementById('field-previewLocale');
  if (previewLocale) previewLocale.addEventListener('change', preview);

  // A hand edit of the JSON, when it parses, redraws the builder.
  textarea.addEventListener('change', function () {
    var edited = parse(textarea.value);
    if (!edited) return;
    schema = edited;
    selected = null;
    target = '0';
    renderAll();
    sync();
  });
  renderAll();
})();
