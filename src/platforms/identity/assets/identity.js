// Focus management for the identity pages, kept out of the HTML because the CSP forbids inline scripts:
// on load, focus the element marked data-autofocus (the error summary or the first field of a step);
// links in the error summary move focus to their field, not just scroll to it.
document.addEventListener('DOMContentLoaded', function () {
  var target = document.querySelector('[data-autofocus]');
  if (target) target.focus();
  document.querySelectorAll('.error-summary a[href^="#"]').forEach(function (link) {
    link.addEventListener('click', function (event) {
      var field = document.getElementById(link.getAttribute('href').slice(1));
      if (!field) return;
      event.preventDefault();
      field.focus();
    });
  });
});
