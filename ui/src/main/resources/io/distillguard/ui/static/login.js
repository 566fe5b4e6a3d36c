'use strict';
// Says why the last sign-in failed; the reason comes from our own redirect, and is shown as text only.
(function () {
  const messages = {
    invalid: 'That token is not the admin token.',
    locked: 'Too many failed attempts from this address; wait five minutes.',
    name: 'A name may use letters, digits and . _ : @ - only.',
  };
  const reason = new URLSearchParams(window.location.search).get('error');
  if (reason && Object.prototype.hasOwnProperty.call(messages, reason)) {
    const p = document.getElementById('login-error');
    p.textContent = messages[reason];
    p.hidden = false;
  }
})();
