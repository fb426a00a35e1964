// Signing a computer into the committee's desk (电脑端) from the phone: what
// a scanned QR code is, what to say when a scan or a sign-in goes wrong, and
// how a signed-in computer is shown. The computer's login page shows a QR code
// carrying "linli-console:<ticket>" (server/services/console/tickets.py).
const { roleLabel } = require('./labels')
const { formatShortTime } = require('./format')

const DESK_PREFIX = 'linli-console:'
const ROLE_PREFIX = 'linli-role:'

// Who may sign a computer in (the server's CONSOLE_ROLES). The committee and the
// supervisor hold their role in a compound; the platform's admin in none.
const DESK_ROLES = ['committee', 'supervisor', 'admin']

const NOT_DESK = '这不是邻里电脑端的登录二维码'
const NOT_DESK_HINT = '请在电脑上打开邻里电脑端的登录页，扫它屏幕上的二维码。'
const NO_CAMERA = '微信没有相机权限，扫不了码。请在手机的「设置」里允许微信使用相机，再来扫码。'
const NOT_SCANNED = '没有扫到二维码，请对准电脑屏幕上的二维码再扫一次。'
const REFRESH = '请在电脑上刷新二维码后再扫。'

// Whether the user may sign a computer in (GET /me's roles).
function canUseDesk(user) {
  return ((user && user.roles) || []).some(
    (role) => DESK_ROLES.includes(role.role) && (role.compound || role.role === 'admin')
  )
}

// What a scanned text is: {kind: 'desk', ticket} (the part after the prefix),
// {kind: 'role', code} (a role invite, for 领取任命), or {kind: 'other'}.
function readScan(text) {
  const value = String(text || '').trim()
  const lower = value.toLowerCase()
  if (lower.startsWith(DESK_PREFIX)) {
    const ticket = value.slice(DESK_PREFIX.length).trim()
    return /^[A-Za-z0-9_-]{1,200}$/.test(ticket) ? { kind: 'desk', ticket } : { kind: 'other' }
  }
  if (lower.startsWith(ROLE_PREFIX)) {
    const code = value.slice(ROLE_PREFIX.length).trim()
    return code ? { kind: 'role', code } : { kind: 'other' }
  }
  return { kind: 'other' }
}

// What the server is sent: the code as the camera read it.
const deskCode = (ticket) => DESK_PREFIX + ticket

// Where a good scan leads: the sign-in page, or 领取任命 for a role invite.
function pageFor(scan) {
  if (scan.kind === 'desk') return `/pages/desk-login/index?ticket=${encodeURIComponent(scan.ticket)}`
  if (scan.kind === 'role') return `/pages/redeem/index?code=${encodeURIComponent(scan.code)}`
  return ''
}

// wx.scanCode from the camera only (a photo of a QR code from the album could
// be anyone's). Resolves with {text} or, when nothing was read, {failure: res}.
function scanQrCode() {
  return new Promise((resolve) => {
    wx.scanCode({
      onlyFromCamera: true,
      scanType: ['qrCode'],
      success: (res) => resolve({ text: String((res && res.result) || '') }),
      fail: (res) => resolve({ failure: res || {} }),
    })
  })
}

// Why a scan read nothing, in plain words: null when the user backed out;
// `again` when scanning again may help (not without the camera).
function scanFailure(res) {
  const message = (res && res.errMsg) || ''
  if (/cancel/i.test(message)) return null
  if (/auth|deny|denied|permission/i.test(message)) return { title: '扫不了码', hint: NO_CAMERA, again: false }
  return { title: '没有扫到二维码', hint: NOT_SCANNED, again: true }
}

// A refusal of POST /console/scan or /console/confirm, in plain words:
// {title, hint, again}, `again` when scanning a fresh code may help. Null
// for anything else (no network, a server error): the caller shows its message.
function deskProblem(err) {
  switch (err && err.code) {
    case 'console_ticket_expired':
      return { title: '二维码已过期', hint: REFRESH, again: true }
    case 'console_ticket_used':
      return { title: '这个二维码已经用过了', hint: REFRESH, again: true }
    case 'console_ticket_not_found':
      return { title: NOT_DESK, hint: NOT_DESK_HINT, again: true }
    case 'console_not_allowed':
      return {
        title: err.message || '您不能登录电脑端',
        hint: '电脑端只给业委会委员、财务监督和平台管理员用。',
        again: false,
      }
    default:
      return null
  }
}

// POST /console/scan's answer as the page shows it: the compounds to pick
// from ({id, name, roleText}) and the computer.
function scanView(body) {
  return {
    browser: body.browser || '电脑',
    compounds: (body.compounds || []).map((c) => ({ id: c.id, name: c.name, roleText: roleLabel(c.role) })),
    compoundIndex: 0,
  }
}

const SHANGHAI_MS = 8 * 3600 * 1000

// An ISO time with any offset as "12月6日 17:30" in Asia/Shanghai (the server
// sends +08:00 already; a "Z" time is moved, never shown as it came).
function shanghaiTime(iso, now = Date.now()) {
  const at = Date.parse(iso || '')
  if (Number.isNaN(at)) return ''
  const local = new Date(at + SHANGHAI_MS).toISOString().slice(0, 19)
  return formatShortTime(`${local}+08:00`, now)
}

// GET /console/sessions' item as a card.
function sessionView(item, now = Date.now()) {
  const compound = (item.compound && item.compound.name) || ''
  return {
    id: item.id,
    browser: item.browser || '电脑',
    compound,
    signedIn: shanghaiTime(item.signed_in_at, now),
    lastSeen: shanghaiTime(item.last_seen_at, now),
  }
}

module.exports = {
  DESK_PREFIX,
  DESK_ROLES,
  NOT_DESK,
  NOT_DESK_HINT,
  canUseDesk,
  readScan,
  deskCode,
  pageFor,
  scanQrCode,
  scanFailure,
  deskProblem,
  scanView,
  shanghaiTime,
  sessionView,
}
