// What the notice board pages show of the server's answers.
const { formatYuan, formatRate } = require('./money')
const { formatShortTime, formatMonth } = require('./format')

// The compounds I belong to ({code, name}, each once): bound households first.
function myCompounds(user) {
  const found = []
  const add = (code, name) => {
    if (code && !found.some((c) => c.code === code)) found.push({ code, name: name || code })
  }
  for (const h of (user && user.households) || []) add(h.compound, h.compound_name)
  for (const r of (user && user.roles) || []) add(r.compound, r.compound_name)
  return found
}

function announcementView(item, now = Date.now()) {
  return {
    id: item.id,
    title: item.title,
    urgent: Boolean(item.urgent),
    pinned: Boolean(item.pinned),
    read: Boolean(item.read),
    audience: item.audience_label || '全小区',
    time: formatShortTime(item.created_at, now),
    excerpt: item.excerpt || '',
    // Read aloud: "紧急 置顶 停水通知，全小区，12月5日 09:30，未读"
    label: [
      item.urgent ? '紧急' : '',
      item.pinned ? '置顶' : '',
      `${item.title}，${item.audience_label || '全小区'}，${formatShortTime(item.created_at, now)}`,
      item.read ? '' : '，未读',
    ].join(''),
  }
}

// Urgent ones first (the server already puts pinned ones before the rest).
function sortedAnnouncements(items, now = Date.now()) {
  const views = items.map((item) => announcementView(item, now))
  return views.filter((a) => a.urgent).concat(views.filter((a) => !a.urgent))
}

function fundView(fund) {
  return {
    account: fund.account,
    name: fund.name,
    balance: formatYuan(fund.balance_fen),
    income: formatYuan(fund.income_fen_month),
    spent: formatYuan(fund.spent_fen_month),
  }
}

function rateView(rate) {
  if (!rate) return null
  return {
    month: formatMonth(rate.month),
    rate: formatRate(rate.collection_rate),
    billed: rate.households_billed || 0,
    paid: rate.households_paid || 0,
  }
}

function disclosureLine(disclosure) {
  if (!disclosure) return ''
  return `${formatMonth(disclosure.month)}收支公示已发布（${formatShortTime(disclosure.published_at)}）`
}

function boardView(board, now = Date.now()) {
  const resolved = board.resolved_this_month || []
  return {
    announcements: sortedAnnouncements(board.announcements || [], now),
    funds: (board.funds || []).map(fundView),
    rate: rateView(board.collection_rate),
    resolved: resolved.map((r) => ({ key: r.category, text: `${r.category_label} ${r.count} 件` })),
    resolvedTotal: board.resolved_total || 0,
    disclosure: disclosureLine(board.latest_disclosure),
    // pages/disclosure opens one disclosure with ?id=.
    disclosureId: (board.latest_disclosure && board.latest_disclosure.id) || 0,
  }
}

// The notice as the notice page shows it.
function noticeView(item, now = Date.now()) {
  return Object.assign(announcementView(item, now), {
    body: item.body || '',
    photos: item.photos || [],
    withdrawn: Boolean(item.withdrawn),
  })
}

// "1-2" → "1号楼2单元"
function unitName(label) {
  const [building, unit] = String(label || '').split('-')
  return unit ? `${building}号楼${unit}单元` : label
}

// 未读住户: one line per household; knock on doors where nobody uses the app.
function unreadView(answer) {
  return {
    unread: answer.unread || 0,
    noApp: answer.no_app || 0,
    units: (answer.units || []).map((unit) => ({
      label: unitName(unit.label),
      summary: `共 ${unit.households_total} 户，${unit.unread} 户未读`,
      households: unit.households.map((h) => ({
        key: h.household_id,
        label: h.label,
        note: h.note,
        knock: !h.uses_app,
      })),
    })),
  }
}

module.exports = { myCompounds, announcementView, sortedAnnouncements, boardView, noticeView, unreadView }
