"""The chat's stylesheet and its one small script (kept in Python so packaging needs no
data files)."""

from __future__ import annotations

CSS = """
.gradio-container { max-width: 1100px !important; margin: 0 auto; }
#status-text, .status-text { font-size: 0.85em; color: var(--body-text-color-subdued); }
.filters-banner { font-size: 0.85em; color: var(--body-text-color-subdued); padding: 2px 4px; }
.filters-banner.active { color: var(--body-text-color); font-weight: 600; }
.filters-banner.active .filters { background: var(--color-accent-soft); padding: 1px 6px;
  border-radius: 4px; }
#chat .answer, #chat .decline, #chat .error { line-height: 1.5; }
#chat a.cite { text-decoration: none; font-weight: 600; font-size: 0.8em;
  vertical-align: super; padding: 0 2px; color: var(--color-accent); cursor: pointer; }
#chat a.cite:hover { text-decoration: underline; }
#chat .searched { font-size: 0.78em; color: var(--body-text-color-subdued); margin-top: 6px; }
#chat .decline { border-left: 3px solid #b7791f; padding: 2px 8px; font-style: italic; }
#chat .decline .hint { display: block; font-size: 0.85em; font-style: normal;
  color: var(--body-text-color-subdued); }
#chat .error { border-left: 3px solid #c53030; padding: 2px 8px; }
#chat .note { font-size: 0.8em; color: var(--body-text-color-subdued); }
#chat .status { color: var(--body-text-color-subdued); font-style: italic; }
#chat .cursor { animation: newsqa-blink 1s steps(2) infinite; opacity: 0.6; }
@keyframes newsqa-blink { 50% { opacity: 0; } }
#sources .sources h3 { font-size: 0.95em; margin: 8px 0; }
#sources .source-list { list-style: none; padding: 0; margin: 0; }
#sources .source { border: 1px solid var(--border-color-primary); border-radius: 8px;
  padding: 8px 12px; margin-bottom: 8px; scroll-margin: 80px;
  transition: box-shadow 0.3s, border-color 0.3s; }
#sources .source.retrieved { opacity: 0.85; }
#sources .source.targeted { border-color: var(--color-accent);
  box-shadow: 0 0 0 3px var(--color-accent-soft); }
#sources .source-head { font-weight: 600; }
#sources .source-head .n { color: var(--color-accent); margin-right: 6px; }
#sources .meta { font-size: 0.8em; color: var(--body-text-color-subdued); margin: 2px 0 4px; }
/* Gradio's prose styles give blockquotes a large !important margin. */
#sources .source blockquote { margin: 4px 0 0 !important; padding-left: 10px; font-size: 0.9em;
  border-left: 3px solid var(--border-color-primary); white-space: pre-wrap; }
#sources mark { background: #fde68a; color: #1a202c; padding: 0 1px; border-radius: 2px; }
#sources details.more summary { cursor: pointer; font-size: 0.85em;
  color: var(--body-text-color-subdued); margin: 6px 0; }
.ingest-report .chips { display: flex; gap: 8px; flex-wrap: wrap; margin: 6px 0; }
.ingest-report .chip { border-radius: 12px; padding: 2px 10px; font-size: 0.85em;
  background: var(--background-fill-secondary); border: 1px solid var(--border-color-primary); }
.ingest-report .chip.added b, .ingest-report .chip.updated b { color: #2f855a; }
.ingest-report .chip.failed b { color: #c53030; }
.ingest-report .took { font-size: 0.8em; color: var(--body-text-color-subdued);
  align-self: center; }
.ingest-report .report-lines { font-size: 0.85em; margin: 4px 0 0 16px; }
.ingest-report li.failed { color: #c53030; }
.notice { font-size: 0.9em; padding: 4px 0; }
.notice.error { color: #c53030; }
.notice.ok { color: #2f855a; }
#library-summary { font-size: 0.9em; }
#library-table table, #library-table .cell-wrap span { font-family: var(--font); }
#upload-help, #upload-help p { font-size: 0.85em; color: var(--body-text-color-subdued); }
"""

# Clicking an ``[n]`` marker scrolls its source card into view and flashes it. The
# panel shows one answer's sources at a time; clicking a marker in an earlier answer
# also selects that message, which brings its sources back, so wait for them.
JS = """
<script>
(() => {
  const flash = (el) => {
    el.classList.remove("targeted");
    void el.offsetWidth;
    el.classList.add("targeted");
    setTimeout(() => el.classList.remove("targeted"), 2500);
  };
  const reveal = (n, turn, tries) => {
    const panel = document.querySelector("#sources .sources");
    const card = document.getElementById("source-" + n);
    if (panel && card && panel.dataset.turn === turn) {
      card.scrollIntoView({ behavior: "smooth", block: "center" });
      flash(card);
      return;
    }
    if (tries > 0) setTimeout(() => reveal(n, turn, tries - 1), 100);
  };
  // The chat's sanitizer drops data-* attributes, so the answer a marker belongs to
  // is found from its position: the k-th bot message is the k-th turn.
  const turnOf = (link) => {
    const row = link.closest(".message-row");
    const rows = Array.from(document.querySelectorAll("#chat .message-row.bot-row"));
    return String(Math.max(0, rows.indexOf(row)));
  };
  document.addEventListener("click", (event) => {
    const link = event.target.closest ? event.target.closest("a.cite") : null;
    if (!link) return;
    event.preventDefault();
    const n = (link.getAttribute("href") || "").replace("#source-", "");
    reveal(n, turnOf(link), 50);
  }, true);
})();
</script>
"""
