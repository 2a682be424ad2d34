// The page rating (src/comune/ratings/widget.ts) sent in place: on success the form gives way to the
// thanks; on any refusal the form is submitted the plain way, so the server shows its errors.
(function () {
  document.querySelectorAll('form.feedback-form').forEach(function (form) {
    form.addEventListener('submit', function (event) {
      event.preventDefault();
      var button = form.querySelector('button[type="submit"]');
      if (button) button.disabled = true;
      fetch(form.action, {
        method: 'POST',
        headers: { accept: 'application/json', 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(new FormData(form)).toString(),
        credentials: 'same-origin',
      })
        .then(function (response) {
          if (response.status !== 201) throw new Error('refused');
          var thanks = form.parentNode.querySelector('.feedback-thanks');
          form.remove();
          if (thanks) {
            thanks.hidden = false;
            thanks.focus();
          }
        })
        .catch(function () {
          form.submit();
        });
    });
  });
})();
