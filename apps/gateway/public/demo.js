// The demo shop page (index.html). A file of its own: the Content-Security-Policy allows no inline script.
// The widget loads asynchronously: until it has, the button has nothing to call.
document.getElementById('ventes-privees').addEventListener('click', () => {
  if (window.PasserelleChat) window.PasserelleChat.open({ ref: 'ventes-privees' });
});
