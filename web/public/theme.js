// Apply the saved theme before first paint so dark mode does not flash. A file, not an inline
// script, so the dashboard's Content-Security-Policy can stay script-src 'self'.
(function () {
  try {
    var t = localStorage.getItem('versaai.theme');
    if (t === 'dark' || (!t && matchMedia('(prefers-color-scheme: dark)').matches)) {
      document.documentElement.classList.add('dark');
    }
  } catch (e) {}
})();
