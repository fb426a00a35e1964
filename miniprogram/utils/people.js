// What the people pages (人员与角色, 领取任命, 任免记录) show of the server's answers.
const { roleLabel } = require('./labels')
const { formatDate, formatShortTime } = require('./format')

// The roles an invite appoints, in the order the people list groups them.
const INVITE_ROLES = ['committee', 'liaison', 'building_lead', 'supervisor']

// What a role is over: a liaison a unit, a building lead a building.
const SCOPE_OF = { liaison: 'unit', building_lead: 'building' }

const QR_PREFIX = 'linli-role:'

// [{value, label}] for the role picker, in plain names ("单元联络人").
function roleOptions() {
  return INVITE_ROLES.map((value) => ({ value, label: roleLabel(value) }))
}

const scopeWanted = (role) => SCOPE_OF[role] || null

// The compound's units ("1-2" → "1号楼2单元") and buildings ("1号楼") for the
// pickers, from GET /compounds/{code} (buildings with their units).
function unitOptions(compound) {
  const options = []
  for (const building of (compound && compound.buildings) || []) {
    for (const unit of building.units || []) {
      options.push({ value: `${building.number}-${unit.number}`, label: `${building.number}号楼${unit.number}单元` })
    }
  }
  return options
}

function buildingOptions(compound) {
  return ((compound && compound.buildings) || []).map((b) => ({ value: b.number, label: `${b.number}号楼` }))
}

// "2026-12-01" → "2026年12月1日"
function longDate(day) {
  if (!day) return ''
  const text = String(day)
  return `${text.slice(0, 4)}年${formatDate(text)}`
}

function personView(person) {
  const term = person.term_end ? `任期 ${longDate(person.term_start) || '—'} 至 ${longDate(person.term_end)}` : ''
  return {
    key: `m${person.membership_id}`,
    id: person.membership_id,
    userId: person.user_id,
    role: person.role,
    termStart: person.term_start || '',
    termEnd: person.term_end || '',
    name: person.name,
    title: person.title || person.role_label,
    since: `${longDate(String(person.since || '').slice(0, 10))}起`,
    term,
    due: Boolean(person.due_for_reelection),
    reachable: Boolean(person.reachable),
    reachText: person.reachable ? '可推送' : '收不到推送',
    phone: person.phone || '',
  }
}

// The term form's first values: the recorded term, else from today for five years
// (a committee's usual term).
function termDraft(person, today) {
  const start = person.termStart || today
  const [y, m, d] = start.split('-')
  return { id: person.id, name: person.name, start, end: person.termEnd || `${Number(y) + 5}-${m}-${d}`, error: '' }
}

// The people list grouped by role, empty groups left out: [{role, title, people}].
// The people shown so far by role; `counts` (role → how many hold it, the
// whole list's) gives each group's head count while more pages are to come.
function peopleGroups(items, counts) {
  return INVITE_ROLES.map((role) => {
    const people = (items || []).filter((p) => p.role === role).map(personView)
    return { role, title: roleLabel(role), people, count: Math.max((counts || {})[role] || 0, people.length) }
  }).filter((group) => group.people.length)
}

// The 显示更多 button's words: how many more there are, in plain numbers.
function moreText(shown, total) {
  const left = Math.max(total - shown, 0)
  return left ? `再显示 ${Math.min(left, 50)} 位（还有 ${left} 位没显示）` : '再显示一些'
}

function inviteView(invite) {
  return {
    id: invite.id,
    title: invite.title || invite.role_label,
    name: invite.name || '未写名字',
    named: Boolean(invite.name),
    expires: `${formatShortTime(invite.expires_at)} 前有效`,
  }
}

// A new invite as the committee member hands it over: the code in very large
// type, the QR code, until when it works and what the other person does.
function issuedView(invite) {
  return {
    code: invite.code,
    qr: invite.qr,
    title: invite.title || invite.role_label,
    name: invite.name || '',
    expires: `${formatShortTime(invite.expires_at)} 前有效，只能用一次`,
    howTo: "请对方在邻里首页点'我有任命邀请码'，扫码或输入邀请码",
  }
}

function auditView(line) {
  return {
    id: line.id,
    time: formatShortTime(line.at),
    action: line.action_label,
    actor: line.actor,
    summary: line.summary,
  }
}

// What a scan or the input gives: "linli-role:ABCD-EFGH" or the code itself;
// '' for a QR code that is not ours.
function parseInviteCode(text) {
  const value = String(text || '').trim()
  if (value.toLowerCase().startsWith(QR_PREFIX)) return value.slice(QR_PREFIX.length).trim()
  return /^[0-9A-Za-z\s-]{4,40}$/.test(value) ? value : ''
}

// "您已成为 阳光小区 1号楼2单元联络人"
function appointedView(body) {
  const compound = (body.compound && body.compound.name) || ''
  return { line: `您已成为 ${compound} ${body.title || body.role_label}`.replace(/\s+/g, ' '), role: body.role }
}

module.exports = {
  termDraft,
  INVITE_ROLES,
  roleOptions,
  scopeWanted,
  unitOptions,
  buildingOptions,
  peopleGroups,
  moreText,
  personView,
  inviteView,
  issuedView,
  auditView,
  parseInviteCode,
  appointedView,
  longDate,
}
