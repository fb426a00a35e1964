"""Every page of the desk as a 75-year-old committee member and a screen reader meet it,
in Chromium at 1366×768: Chinese, one heading, labelled fields, named buttons and links,
tables with captions and column headers, no text under 16 px, contrast, no raw codes, a
confirmation before what cannot be undone, the keyboard reaching every action with a
visible focus ring, and no sideways scrolling with the browser's text made large (24 px).

The pages come from the app's own routes (GET under /console without arguments, not the
downloads), then the detail pages their links lead to, so areas added later are checked
too; a committee member's pass, then the finance supervisor's. Each problem names its
page; the test lists them all at once. No exception to the 16 px rule was needed: chart
labels, hints and badges are all at least 16 px (chart text follows the font setting).
A last test feeds the checks a page with one of each problem, so none of them is empty."""

from __future__ import annotations

import re
from collections import defaultdict
from datetime import timedelta

from playwright.sync_api import Error as PlaywrightError
from werkzeug.exceptions import HTTPException

from server.clock import utcnow
from server.extensions import db
from server.models import HouseholdCensus, PaymentAnomaly, ReconciliationReport
from tests.browser.conftest import SHOTS
from tests.browser.desk import agree, sign_in
from tests.decisions_helpers import owner, voting_proposal
from tests.factories import (
    World,
    build_world,
    care_tagged,
    make_bill,
    make_issue,
    stair_electricity_fee,
)
from tests.helpers import image_bytes, multipart
from tests.money_month import a_month_of_money
from tests.timing import month, shanghai_date

SKIPPED = ("desk.static_file", "desk.photo", "desk.login_state", "desk.login")
DOWNLOADS = (".xlsx", ".pdf")
# A submit button with one of these words does something that cannot be undone.
IRREVERSIBLE = re.compile(
    r"确认|驳回|作废|撤回|冲正|公示给|付款|审核通过|终止|结束|关闭|退款|不予|重复|办结|删除|更正"
    r"|开始表决|已处理|已解决"
)

# One pass over the page in the browser: a list of problems in plain words.
STRUCTURE = r"""
(compoundName) => {
  const problems = [];
  const say = (what, el) => problems.push(what + (el ? ': ' + describe(el) : ''));
  function describe(el) {
    const text = (el.innerText || el.textContent || el.value ||
      el.getAttribute('aria-label') || '').trim();
    const classes = typeof el.className === 'string' && el.className.trim() ?
      '.' + el.className.trim().replace(/\s+/g, '.') : '';
    return el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + classes +
      (text ? ' «' + text.slice(0, 30).replace(/\s+/g, ' ') + '»' : '');
  }
  const visible = el =>
    el.getClientRects().length > 0 && getComputedStyle(el).visibility !== 'hidden';
  const named = el => {
    const aria = el.getAttribute('aria-label') || '';
    const by = (el.getAttribute('aria-labelledby') || '').split(/\s+/).filter(Boolean)
      .map(id => (document.getElementById(id) || {}).textContent || '').join('');
    const labels = Array.from(el.labels || []).map(l => l.textContent).join('');
    const own = ['A', 'BUTTON', 'SUMMARY'].includes(el.tagName) ?
      el.textContent + Array.from(el.querySelectorAll('img[alt]')).map(i => i.alt).join('') : '';
    const value = el.tagName === 'INPUT' && ['submit', 'button'].includes(el.type) ? el.value : '';
    return (aria + by + labels + own + value + (el.title || '')).trim().length > 0;
  };

  if (document.documentElement.lang !== 'zh-CN') say('html lang 不是 zh-CN');
  const h1s = document.querySelectorAll('h1');
  if (h1s.length !== 1) say('页面应有且只有一个 h1，现在有 ' + h1s.length + ' 个');

  // Fields: a name read out (label for / wrapping label / aria-label).
  document.querySelectorAll('input:not([type=hidden]), select, textarea').forEach(el => {
    if (!named(el)) say('输入框没有标签', el);
  });
  // Buttons and links: text a person (and a screen reader) can read.
  document.querySelectorAll('a[href], button, input[type=submit], summary').forEach(el => {
    if (!named(el)) say('按钮或链接没有文字', el);
  });
  document.querySelectorAll('img').forEach(el => {
    if (!el.hasAttribute('alt')) say('图片没有 alt', el);
  });

  // Tables: a caption (or a heading / aria label) and column headers.
  document.querySelectorAll('table').forEach(t => {
    const caption = t.caption && t.caption.textContent.trim();
    const labelled = t.getAttribute('aria-labelledby') || t.getAttribute('aria-label');
    let before = t.previousElementSibling;
    const heading = before && /^H[2-6]$/.test(before.tagName);
    if (!caption && !labelled && !heading) say('表格没有标题（caption）', t);
    if (!t.querySelector('th')) say('表格没有表头（th）', t);
    t.querySelectorAll('thead th').forEach(th => {
      if (th.getAttribute('scope') !== 'col') say('表头缺 scope="col"', th);
    });
  });

  // Text: at least 16 px at the browser's default size; contrast at least 7:1 (what
  // console.css promises; WCAG AAA).
  function rgb(c) {
    const m = c.match(/rgba?\(([^)]+)\)/);
    if (!m) return null;
    const p = m[1].split(',').map(Number);
    return { r: p[0], g: p[1], b: p[2], a: p.length > 3 ? p[3] : 1 };
  }
  function luminance(c) {
    const f = v => {
      v /= 255;
      return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
    };
    return 0.2126 * f(c.r) + 0.7152 * f(c.g) + 0.0722 * f(c.b);
  }
  function background(el) {
    for (let e = el; e; e = e.parentElement) {
      const c = rgb(getComputedStyle(e).backgroundColor);
      if (c && c.a > 0.5) return c;
    }
    return { r: 255, g: 255, b: 255, a: 1 };
  }
  const small = new Map(), faint = new Map();
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const el = node.parentElement;
    if (!node.textContent.trim() || !el || !visible(el)) continue;
    if (el.closest('script, style, .skip, [aria-hidden=true]')) continue;
    if (el.closest('details:not([open])') && !el.closest('summary')) continue;
    const style = getComputedStyle(el);
    const size = parseFloat(style.fontSize);
    if (size < 15.95) small.set(el, size);
    if (el.closest('button:disabled')) continue;
    const fg = rgb(style.color), bg = background(el);
    if (fg) {
      const [a, b] = [luminance(fg), luminance(bg)].sort((x, y) => y - x);
      const ratio = (a + 0.05) / (b + 0.05);
      if (ratio < 7) faint.set(el, ratio);
    }
  }
  small.forEach((size, el) => say('文字小于 16px（' + size.toFixed(1) + 'px）', el));
  faint.forEach((ratio, el) => say('文字对比度不足（' + ratio.toFixed(2) + ':1）', el));

  // Plain words: no codes (snake_case, lowercase English) shown raw in the page.
  const main = document.querySelector('main');
  if (main) {
    const text = main.innerText.split(compoundName).join('');
    const codes = text.match(/\b[a-z]+(?:_[a-z]+)+\b|(?<![A-Za-z.\/])[a-z]{4,}(?![A-Za-z.\/])/g);
    if (codes) say('页面上有英文或代码：' + Array.from(new Set(codes)).join(', '));
  }

  // Charts count whole households, issues and people: no "2.5户" on an axis.
  document.querySelectorAll('.chart svg text').forEach(el => {
    if (/\d\.\d+\s*(户|件|人|次|笔|栋)/.test(el.textContent)) say('图表上有小数的户数或件数', el);
  });

  // Buttons big enough to hit; fields tall enough to read.
  document.querySelectorAll('button, .button, input[type=submit]').forEach(el => {
    if (visible(el) && el.getBoundingClientRect().height < 40) say('按钮太小（高不足 40px）', el);
  });

  document.querySelectorAll('input[type=checkbox], input[type=radio]').forEach(el => {
    const box = el.getBoundingClientRect();
    if (visible(el) && Math.min(box.width, box.height) < 18) say('勾选框太小（不足 18px）', el);
  });

  // What cannot be undone asks first.
  document.querySelectorAll('main form[method=post]').forEach(form => {
    const labels = Array.from(form.querySelectorAll('button[type=submit], button:not([type])'))
      .map(b => b.textContent.trim()).join(' ');
    if (IRREVERSIBLE.test(labels) && !form.hasAttribute('data-confirm'))
      say('不能撤销的操作没有先确认', form.querySelector('button') || form);
  });
  return problems;
}
""".replace("IRREVERSIBLE", f"/{IRREVERSIBLE.pattern}/")

# What the keyboard should reach in <main>: every visible control outside closed <details>
# (a radio group counts once); how many Tab stops they take (a date field has three).
TABBABLE = r"""
() => {
  const visible = el =>
    el.getClientRects().length > 0 && getComputedStyle(el).visibility !== 'hidden';
  const main = document.querySelector('main');
  const wanted = [];
  let stops = 0;
  const groups = new Set();
  main.querySelectorAll('a[href], button, input:not([type=hidden]), select, textarea, summary')
    .forEach(el => {
      if (!visible(el) || el.disabled) return;
      const closed = el.closest('details:not([open])');
      if (closed && el !== closed.querySelector('summary')) return;
      if (el.type === 'radio') { if (groups.has(el.name)) return; groups.add(el.name); }
      el.dataset.a11yWanted = String(wanted.length);
      const text = (el.textContent || el.name || '').trim().slice(0, 20);
      wanted.push(el.tagName.toLowerCase() + ' «' + text + '»');
      stops += ({ date: 3, month: 2, 'datetime-local': 5 })[el.type] || 1;
    });
  window.__a11ySeen = new Map();
  document.addEventListener('focusin', event => {
    const el = event.target;
    const style = getComputedStyle(el);
    const ring = (style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2) ||
      style.boxShadow !== 'none';
    const key = el.type === 'radio' ? 'radio:' + el.name : el.dataset.a11yWanted;
    window.__a11ySeen.set(key === undefined ? el : key, ring);
  });
  return { wanted, stops };
}
"""

KEYBOARD_RESULT = r"""
(wanted) => {
  const problems = [];
  const seen = window.__a11ySeen;
  document.querySelectorAll('main [data-a11y-wanted]').forEach(el => {
    const key = el.type === 'radio' ? 'radio:' + el.name : el.dataset.a11yWanted;
    const what = wanted[Number(el.dataset.a11yWanted)];
    if (!seen.has(key)) problems.push('Tab 键到不了：' + what);
    else if (!seen.get(key)) problems.push('键盘焦点看不见：' + what);
  });
  return problems;
}
"""

FLASH_IN_VIEW = """() => {
  const flash = document.querySelector('main .flash');
  if (!flash) return [false, null];
  const box = flash.getBoundingClientRect();
  return [box.top >= 0 && box.bottom <= innerHeight, flash.textContent.trim()];
}"""
ROOT_SIZE = "() => parseFloat(getComputedStyle(document.documentElement).fontSize)"
IN_MAIN = "() => !!document.activeElement.closest('main')"
# Pages shot at the large-text setting for review (build/screenshots/a11y-large-*.png).
LARGE_SHOTS = (
    "/console/offline-payments",
    "/console/issues",
    "/console/fees",
    "/console/reconciliation",
)
WIDTH = "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"


def desk_pages(app) -> list[str]:
    """The desk's pages a member opens from the menu or types: GET routes under /console
    without arguments, downloads and the machinery left out."""
    paths = []
    for rule in app.url_map.iter_rules():
        if (
            rule.rule.startswith("/console")
            and "GET" in rule.methods
            and not rule.arguments
            and rule.endpoint not in SKIPPED
            and not rule.rule.endswith(DOWNLOADS)
        ):
            paths.append(rule.rule)
    return sorted(paths)


def detail_pages(app, links: list[str]) -> list[str]:
    """One page per endpoint with arguments that the pages' links lead to (a detail)."""
    adapter = app.url_map.bind("localhost")
    found: dict[str, str] = {}
    for href in links:
        path = href.split("?")[0].split("#")[0]
        if not path.startswith("/console") or path.endswith(DOWNLOADS):
            continue
        try:
            endpoint, arguments = adapter.match(path, method="GET")
        except HTTPException:  # not a page of the app (or a POST-only one)
            endpoint, arguments = None, None
        if arguments and endpoint not in SKIPPED:
            found.setdefault(endpoint, path)
    return sorted(found.values())


def a_busy_month(app) -> World:
    """A compound with something on every page: a month of money, a pending cash payment,
    a fee change, issues, a reconciliation difference, a double payment, a disclosure
    draft, proposals, a sweep, households to visit and census answers."""
    world = build_world("desk-a11y")
    a_month_of_money(world)
    stair_electricity_fee(world.compound)
    cash_bill = make_bill(world, "1-1-102", amount_fen=42000)
    make_issue(*world.reporter(), title="楼道灯不亮")
    make_issue(*world.reporter("resident_1_2", "1-2-101"), category="hazard", title="电线裸露")
    db.session.add(
        ReconciliationReport(
            compound_id=world.compound.id,
            day=shanghai_date(-1),
            summary={
                "orders": 2,
                "paid": 1,
                "closed": 0,
                "pending": 1,
                "disputed": 0,
                "differences": 1,
                "open_anomalies": 1,
            },
            differences="订单 LL20261130201500CD34：微信支付为“支付成功”，本系统记为“待支付”",
        )
    )
    db.session.add(
        PaymentAnomaly(
            compound_id=world.compound.id,
            kind="double_payment",
            details={"out_trade_no": "LL-TWICE", "household": "1-1-101", "refund_due_fen": 2533},
        )
    )
    voting_proposal(world, title="楼道加装扶手")
    owner(world, "1-1-201")
    care_tagged(world, "1-1-101", "elderly_alone")
    db.session.add(
        HouseholdCensus(
            compound_id=world.compound.id,
            household_id=world.household_ids["1-1-102"],
            unit_id=world.household("1-1-102").unit_id,
            residence="lives_here",
            confirmed_at=utcnow() - timedelta(days=20),
            confirmed_by_id=world.user_ids["liaison_1_1"],
        )
    )
    cash_bill_id = cash_bill.id
    db.session.commit()

    phone = app.test_client()
    code = "desk-a11y"
    receipt = phone.post(
        "/api/v1/uploads",
        headers=world.headers("liaison_1_1"),
        **multipart(image_bytes(), "receipt.jpg", "image/jpeg"),
    )
    answers = [
        receipt,
        phone.post(
            "/api/v1/offline-payments",
            json={
                "bill_ids": [cash_bill_id],
                "method": "cash",
                "amount_fen": 42000,
                "paid_on": shanghai_date(-1).isoformat(),
                "note": "老人当面交的现金",
                "receipt_photo": receipt.get_json()["id"],
            },
            headers=world.headers("liaison_1_1"),
        ),
        phone.patch(
            f"/api/v1/compounds/{code}/fee-items/self_governance",
            json={"rate": "0.40"},
            headers=world.headers("committee_2"),
        ),
        phone.post(
            f"/api/v1/compounds/{code}/disclosures",
            json={"month": month(-1)},
            headers=world.headers("committee"),
        ),
        phone.post(
            f"/api/v1/compounds/{code}/campaigns",
            json={
                "type": "safety",
                "title": "冬季燃气安全排查",
                "scope": "compound",
                "due_on": shanghai_date(14).isoformat(),
            },
            headers=world.headers("committee"),
        ),
    ]
    for answer in answers:
        assert answer.status_code in (200, 201, 202), answer.get_json()
    return world


def test_every_desk_page_is_readable_labelled_and_keyboard_usable(
    page, desk_url, app, photo_storage
):
    world = a_busy_month(app)
    sign_in(page, desk_url, app, world, "committee")
    problems: dict[str, list[str]] = defaultdict(list)

    pages = desk_pages(app)
    assert "/console/offline-payments" in pages
    assert "/console/issues" in pages
    links: list[str] = []
    visited: list[str] = []
    for path in pages:  # then the detail pages their links lead to
        if opened(page, desk_url + path):
            visited.append(path)
            problems[path] += page.evaluate(STRUCTURE, "desk-a11y小区")
            problems[path] += keyboard_problems(page)
            links += page.eval_on_selector_all("main a[href]", "as => as.map(a => a.pathname)")
    for path in detail_pages(app, links):
        if opened(page, desk_url + path):
            visited.append(path)
            problems[path] += page.evaluate(STRUCTURE, "desk-a11y小区")
            problems[path] += keyboard_problems(page)
    # The crawl reached the detail pages (issues, cash, expenses, disclosures, ...).
    assert any(re.fullmatch(r"/console/issues/\d+", p) for p in visited), visited
    assert any(re.fullmatch(r"/console/disclosures/\d+", p) for p in visited), visited

    # A page that is not there answers in the same plain, accessible way.
    missing = page.goto(f"{desk_url}/console/issues/999999")
    assert missing.status == 404
    problems["/console/issues/999999 (404)"] += page.evaluate(STRUCTURE, "desk-a11y小区")

    # The browser's text made large (Settings → Appearance → Font size: "very large").
    cdp = page.context.new_cdp_session(page)
    cdp.send("Page.setFontSizes", {"fontSizes": {"standard": 24, "fixed": 20}})
    for path in visited:
        page.goto(desk_url + path)
        root = page.evaluate(ROOT_SIZE)
        assert root >= 24, f"{path}: the large-text setting did not apply ({root}px)"
        wide, seen = page.evaluate(WIDTH)
        if wide > seen:
            problems[path].append(f"字体调大后页面要左右滚动（内容 {wide}px，窗口 {seen}px）")
        if wide > seen or path in LARGE_SHOTS:
            large_text_shot(page, path)

    # An action at the large text in a short window (a 1366×768 screen less the browser's
    # bars and the taskbar, the menu above the page): asked first in plain words, then its
    # message in view.
    page.set_viewport_size({"width": 1366, "height": 520})
    page.goto(f"{desk_url}/console/fees")
    questions: list[str] = []
    page.get_by_label("驳回理由").fill("费率要先开会商量")
    page.get_by_role("button", name="驳回").click()
    questions.append(agree(page))
    page.get_by_text("已驳回，没有任何改变").wait_for()
    assert questions == ["确定驳回这项变更吗？驳回后不能恢复，要改只能重新提出。"]
    flash = page.evaluate(FLASH_IN_VIEW)
    assert flash == [True, "已驳回，没有任何改变"], flash
    large_text_shot(page, "/console/fees-after-reject")
    page.set_viewport_size({"width": 1366, "height": 768})

    # The finance supervisor sees other forms (审核通过, 提出异议) on the same pages.
    page.get_by_role("button", name="退出登录").click()
    agree(page)
    page.wait_for_url(re.compile("/console/login"))
    sign_in(page, desk_url, app, world, "supervisor")
    cdp.send("Page.setFontSizes", {"fontSizes": {"standard": 16, "fixed": 13}})
    signed_off = []
    for path in visited:
        if page.goto(desk_url + path).status == 200:
            problems[f"{path} (财务监督)"] += page.evaluate(STRUCTURE, "desk-a11y小区")
            signed_off += page.get_by_role("button", name="审核通过").all()
    assert signed_off, "the supervisor's pass never met a form of theirs"

    found = {path: sorted(set(lines)) for path, lines in problems.items() if lines}
    assert not found, "\n".join(
        f"{path}:\n  " + "\n  ".join(lines) for path, lines in found.items()
    )


def opened(page, url: str) -> bool:
    """Open a page of the desk: True for an HTML page (200); False for a download."""
    try:
        response = page.goto(url)
    except PlaywrightError as error:  # a download under a name without .xlsx/.pdf
        if "Download is starting" in str(error):
            return False
        raise
    assert response.status == 200, f"{url}: {response.status}"
    return response.headers.get("content-type", "").startswith("text/html")


def large_text_shot(page, path: str) -> None:
    """The window as the member sees it (a full-page shot would reset the font setting)."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    name = "a11y-large-" + (path.removeprefix("/console").strip("/").replace("/", "-") or "home")
    page.screenshot(path=str(SHOTS / f"{name}.png"))


def keyboard_problems(page) -> list[str]:
    """Tab from the top: the skip link first (visible when focused), then into the page;
    every action in <main> is reached and shows where the focus is."""
    problems = []
    info = page.evaluate(TABBABLE)
    page.keyboard.press("Tab")
    skip = page.evaluate(
        "() => { const a = document.activeElement; const r = a.getBoundingClientRect();"
        " return [a.className, r.left >= 0 && r.top >= 0]; }"
    )
    if skip != ["skip", True]:
        problems.append(f"第一次按 Tab 没有到“跳到正文”：{skip}")
        return problems
    page.keyboard.press("Enter")
    if page.evaluate("() => document.activeElement.id") != "main":
        problems.append("“跳到正文”没有把焦点移到正文")
    # Tab on until the focus leaves <main> (a date field takes a stop per part).
    for _ in range(3 * info["stops"] + 10):
        page.keyboard.press("Tab")
        if not page.evaluate(IN_MAIN):
            break
    problems += page.evaluate(KEYBOARD_RESULT, info["wanted"])
    return problems


def test_the_sign_in_page_is_readable_at_a_large_text_setting(page, desk_url):
    page.goto(f"{desk_url}/console/login")
    problems = page.evaluate(STRUCTURE, "—")
    assert problems == []
    cdp = page.context.new_cdp_session(page)
    cdp.send("Page.setFontSizes", {"fontSizes": {"standard": 24, "fixed": 20}})
    page.reload()
    wide, seen = page.evaluate(WIDTH)
    assert wide <= seen
    assert page.get_by_role("status").inner_text() == "等待扫码…"


BAD_PAGE = """<!doctype html><html lang="en"><head><style>
  .tiny { font-size: 12px; } .faint { color: #bbb; } .squat { height: 20px; }
  #hidden-ring:focus-visible { outline: none; }
</style></head><body>
<a class="skip" href="#main">跳到正文</a>
<main id="main" tabindex="-1">
  <h1>一</h1><h1>二</h1>
  <input name="x">
  <a href="/console/x"></a>
  <table><tr><td>1</td></tr></table>
  <p class="tiny">小字</p>
  <p class="faint">淡字</p>
  <p>状态：pending_review</p>
  <label for="tick"><input type="checkbox" id="tick" style="width: 13px; height: 13px"> 勾</label>
  <div class="chart"><svg><text>2.5户</text></svg></div>
  <form method="post"><button class="squat" type="submit">驳回</button></form>
  <button tabindex="-1">点不到</button>
  <button id="hidden-ring">看不见焦点</button>
</main></body></html>"""


def test_the_checks_find_each_kind_of_problem(page):
    """The checks above are not empty: a page with one of each problem fails each."""
    page.set_content(BAD_PAGE)
    found = "\n".join(page.evaluate(STRUCTURE, "—") + keyboard_problems(page))
    for problem in [
        "html lang 不是 zh-CN",
        "只有一个 h1，现在有 2 个",
        "输入框没有标签: input",
        "按钮或链接没有文字: a",
        "表格没有标题",
        "表格没有表头",
        "文字小于 16px（12.0px）: p.tiny",
        "文字对比度不足",
        "英文或代码：pending_review",
        "按钮太小",
        "勾选框太小（不足 18px）: input#tick",
        "图表上有小数的户数或件数: text «2.5户»",
        "不能撤销的操作没有先确认: button.squat «驳回»",
        "Tab 键到不了：button «点不到»",
        "键盘焦点看不见：button «看不见焦点»",
    ]:
        assert problem in found, f"{problem!r} not in:\n{found}"
