// Conditional form fields (src/comune/forms/render.ts): shown or hidden as the citizen answers.
// Without this script every such field stays visible with its "only if" hint and the server decides.
(function () {
  function valueOf(form, name, eq) {
    var inputs = form.querySelectorAll('[name="' + CSS.escape(name) + '"], [name="' + CSS.escape(name + '[]') + '"]');
    var value = '';
    inputs.forEach(function (input) {
      if (input.type === 'checkbox' && input.name.slice(-2) === '[]') { if (input.checked && input.value === eq) value = eq; }
      else if (input.type === 'checkbox') value = input.checked ? 'true' : 'false';
      else if (input.type === 'radio') { if (input.checked) value = input.value; }
      else value = input.value;
    });
    return value;
  }
  function update(form) {
    form.querySelectorAll('.forms-conditional').forEach(function (box) {
      var equal = valueOf(form, box.dataset.when, box.dataset.eq) === box.dataset.eq;
      box.hidden = equal !== (box.dataset.show === 'true');
      var hint = box.querySelector('.forms-conditional-hint');
      if (hint) hint.hidden = true;
    });
  }
  document.querySelectorAll('form.sportello-form').forEach(function (form) {
    form.addEventListener('change', function () { update(form); });
    update(form);
  });
})();
