// Passkey pages: a form with data-webauthn="register" or "authenticate" and its options
// in data-options. On submit, ask the browser's authenticator, put its JSON answer in the
// form's hidden `credential` field, and send the form. Without JavaScript the form is sent
// empty and the server says that passkeys need JavaScript.
(function () {
  'use strict';
  var forms = document.querySelectorAll('form[data-webauthn]');
  Array.prototype.forEach.call(forms, function (form) {
    var status = form.querySelector('[data-status]');
    var say = function (text) { if (status) status.textContent = text; };
    if (!window.SimpleWebAuthnBrowser || !SimpleWebAuthnBrowser.browserSupportsWebAuthn()) {
      say('This browser cannot use passkeys. Use another way on this page.');
      return;
    }
    form.addEventListener('submit', function (event) {
      if (form.dataset.sending === 'yes') return;
      event.preventDefault();
      var options = JSON.parse(form.dataset.options || '{}');
      var ask = form.dataset.webauthn === 'register'
        ? SimpleWebAuthnBrowser.startRegistration({ optionsJSON: options })
        : SimpleWebAuthnBrowser.startAuthentication({ optionsJSON: options });
      say('Follow the steps on your device…');
      ask.then(function (credential) {
        form.querySelector('input[name="credential"]').value = JSON.stringify(credential);
        form.dataset.sending = 'yes';
        form.submit();
      }, function () {
        say('The passkey was not used. You can try again, or use another way on this page.');
      });
    });
  });
}());
