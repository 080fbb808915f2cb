"""The chat page's CSS, its one script, and the admin panel's markup.

The script (in the page head, so it needs no Gradio component) does two things:
- a click on `[n]` in any answer shows that answer's citations in the panel and brings card
  n into view (links `#rq-a<answer>-c<n>`, rendered by app/ui_render.py);
- with an admin token configured, the "管理报告" panel uploads a file to
  `POST api/admin/documents` (multipart, the token as a Bearer header), shows the stages
  from `GET api/admin/progress` while it is ingested and embedded, and removes a report with
  `DELETE api/admin/documents/<id>`. These are the FastAPI admin routes: nothing goes
  through Gradio's file routes, which stay blocked. Texts are set with textContent only.
URLs are relative to the page, so they hold under a path prefix (REPORTQA_ROOT_PATH).
"""

from __future__ import annotations

import html

CSS = """
.rq-panel { display: flex; flex-direction: column; gap: 12px; font-size: 14px; line-height: 1.7; }
.rq-empty { color: #6b7280; padding: 12px; border: 1px dashed #d1d5db; border-radius: 8px; }
.rq-h { font-weight: 600; color: #374151; }
.rq-cite { border: 1px solid #e5e7eb; border-left: 4px solid #b91c1c; border-radius: 8px;
           padding: 10px 12px; background: #fff; }
.rq-cite.rq-related { border-left-color: #9ca3af; background: #f9fafb; }
.rq-cite.rq-flash { box-shadow: 0 0 0 3px #fca5a5; }
.rq-head { display: flex; flex-wrap: wrap; gap: 8px; align-items: baseline; margin-bottom: 6px; }
.rq-n { font-weight: 700; color: #b91c1c; }
.rq-report { color: #6b7280; font-size: 12px; margin-bottom: 2px; }
.rq-related .rq-n { color: #6b7280; font-weight: 600; font-size: 12px; }
.rq-path { color: #374151; font-weight: 600; flex: 1 1 auto; }
.rq-page { color: #fff; background: #b91c1c; border-radius: 10px; padding: 0 8px; font-size: 12px; }
.rq-related .rq-page { background: #6b7280; }
.rq-text { color: #374151; }
.rq-text mark { background: #fde68a; color: #111827; padding: 0 2px; border-radius: 3px; }
.rq-notes { margin-top: 8px; padding-top: 6px; border-top: 1px dashed #e5e7eb; font-size: 13px;
            color: #4b5563; }
.rq-notes-title { font-weight: 600; margin-bottom: 2px; }
.rq-notice { border-radius: 8px; padding: 12px 14px; }
.rq-refused { background: #fff7ed; border: 1px solid #fdba74; color: #9a3412; }
.rq-notice-title { font-weight: 700; margin-bottom: 4px; }
.rq-error { background: #fef2f2; border: 1px solid #fca5a5; color: #991b1b; }
#rq-status { color: #6b7280; font-size: 13px; }
/* one section per answer: the latest is shown, or the one whose [n] was clicked */
.rq-panels { display: flex; flex-direction: column; gap: 12px; }
.rq-panels > .rq-answer { display: none; }
.rq-panels:not(.rq-pending):not(.rq-picked) > .rq-answer:last-child,
.rq-panels.rq-picked > .rq-answer.rq-current { display: block; }
.rq-asked { color: #6b7280; font-size: 13px; margin-bottom: 8px; }
a.rq-ref { color: #b91c1c; text-decoration: none; font-weight: 600; cursor: pointer; }
a.rq-ref:hover { text-decoration: underline; }
.rq-admin { display: flex; flex-direction: column; gap: 8px; font-size: 14px; }
.rq-admin input, .rq-admin select { border: 1px solid #d1d5db; border-radius: 6px; padding: 4px 6px; }
.rq-admin button { border: 1px solid #b91c1c; color: #b91c1c; border-radius: 6px; padding: 4px 10px;
                   background: #fff; width: fit-content; }
.rq-admin progress { width: 100%; }
/* narrow screens: the citations (a refusal's related passages too) right after the chat */
@media (max-width: 640px) {
  #rq-main { flex-direction: column; flex-wrap: nowrap; }
  #rq-left { display: contents; }
  #rq-left > *, #rq-right { order: 3; width: 100%; }
  #rq-left > #rq-chat { order: 1; }
  #rq-right { order: 2; min-width: 0; }
}
"""

SCRIPT = r"""
(() => {
  const $ = (id) => document.getElementById(id);
  function showAnswer(number, n) {
    const section = $('rq-a' + number);
    if (!section) return false;
    const panels = section.parentElement;
    panels.classList.add('rq-picked');
    panels.querySelectorAll('.rq-answer.rq-current').forEach((s) => s.classList.remove('rq-current'));
    section.classList.add('rq-current');
    const target = (n && $('rq-a' + number + '-c' + n)) || section;
    target.scrollIntoView({block: 'nearest'});
    if (target.classList.contains('rq-cite')) {
      target.classList.add('rq-flash');
      setTimeout(() => target.classList.remove('rq-flash'), 1500);
    }
    return true;
  }
  document.addEventListener('click', (event) => {
    const link = event.target.closest && event.target.closest('a.rq-ref');
    if (!link) return;
    const m = /^#rq-a(\d+)(?:-c(\d+))?$/.exec(link.getAttribute('href') || '');
    if (!m) return;
    event.preventDefault();
    event.stopPropagation();
    showAnswer(m[1], m[2]);
  }, true);

  const say = (text) => { const s = $('rq-admin-status'); if (s) s.textContent = text; };
  const auth = () => ({Authorization: 'Bearer ' + ($('rq-admin-token').value || '')});
  async function detail(response) {
    try { return (await response.json()).detail || ('HTTP ' + response.status); }
    catch (e) { return 'HTTP ' + response.status; }
  }
  async function watchProgress(bar) {
    try {
      const r = await fetch('api/admin/progress', {headers: auth()});
      if (!r.ok) return;
      const p = await r.json();
      if (p.state !== 'running') return;
      const count = p.total ? `（${p.done}/${p.total}）` : '';
      say(`正在处理 ${p.name}：${p.stage_label}${count}……`);
      if (p.total) { bar.max = p.total; bar.value = p.done; } else { bar.removeAttribute('value'); }
    } catch (e) { /* the next look will tell */ }
  }
  async function upload() {
    const file = $('rq-upload-file').files[0];
    if (!file) { say('请先选择一个报告文件。'); return; }
    const bar = $('rq-admin-progress');
    bar.hidden = false; bar.removeAttribute('value');
    say(`正在上传 ${file.name}……`);
    const form = new FormData();
    form.append('file', file, file.name);
    const timer = setInterval(() => watchProgress(bar), 500);
    try {
      const r = await fetch('api/admin/documents', {method: 'POST', headers: auth(), body: form});
      if (!r.ok) { say('未添加：' + await detail(r)); return; }
      const body = await r.json();
      const doc = body.added[0];
      say(`已添加《${doc.title}》（${doc.doc_id}，${doc.chunks} 个段落，新向量化 ${body.embedded} 段），`
        + '新索引已生效。刷新页面后可在“报告范围”中选择它。');
      loadReports();
    } catch (e) { say('上传失败：' + e); }
    finally { clearInterval(timer); bar.hidden = true; }
  }
  async function remove() {
    const id = $('rq-remove-id').value;
    if (!id) { say('请先选择要移除的报告。'); return; }
    say(`正在移除 ${id}……`);
    try {
      const r = await fetch('api/admin/documents/' + encodeURIComponent(id), {method: 'DELETE', headers: auth()});
      say(r.ok ? `已移除 ${id}，新索引已生效。` : '未移除：' + await detail(r));
      loadReports();
    } catch (e) { say('移除失败：' + e); }
  }
  async function loadReports() {
    const select = $('rq-remove-id');
    if (!select) return;
    const r = await fetch('api/documents');
    if (!r.ok) return;
    const docs = (await r.json()).documents;
    select.replaceChildren(...docs.map((d) => {
      const option = document.createElement('option');
      option.value = d.doc_id;
      option.textContent = `${d.title}（${d.doc_id}）`;
      return option;
    }));
  }
  document.addEventListener('click', (event) => {
    const id = event.target && event.target.id;
    if (id === 'rq-upload') upload();
    else if (id === 'rq-remove') remove();
    else if (id === 'rq-remove-id' && !event.target.options.length) loadReports();
  });
})();
"""

HEAD = f"<script>{SCRIPT}</script>"


def admin_panel(max_upload_bytes: int) -> str:
    """The upload and remove form (the script above does the rest)."""
    limit = (
        f"{max_upload_bytes / 1024 / 1024:.0f} MB"
        if max_upload_bytes >= 1 << 20
        else (f"{max_upload_bytes // 1024} KB")
    )
    return (
        '<div class="rq-admin" id="rq-admin">'
        "<label>管理令牌（REPORTQA_ADMIN_TOKEN）<br>"
        '<input type="password" id="rq-admin-token" autocomplete="off"></label>'
        f"<label>上传报告（.txt、.md、.docx、.pdf，不超过 {html.escape(limit)}）<br>"
        '<input type="file" id="rq-upload-file" accept=".txt,.md,.docx,.pdf"></label>'
        '<button type="button" id="rq-upload">上传并添加</button>'
        '<progress id="rq-admin-progress" hidden></progress>'
        '<label>移除报告<br><select id="rq-remove-id"></select></label>'
        '<button type="button" id="rq-remove">移除所选报告</button>'
        '<div id="rq-admin-status" role="status"></div>'
        "</div>"
    )
