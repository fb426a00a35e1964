// Signing a computer into the committee's desk (电脑端) from the phone, and
// the computers signed in as me (server/api/console.py).
const { request } = require('./request')

const BASE = '/api/v1/console'

// The computer's QR code as scanned ("linli-console:…"): resolves with
// {browser: "Chrome · Windows", expires_at, compounds: [{id, name, role}]}.
// Refusals: 403 console_not_allowed, 404 console_ticket_not_found,
// 409 console_ticket_used or console_ticket_expired.
function scanDeskCode(ticket) {
  return request({ url: `${BASE}/scan`, method: 'POST', data: { ticket } })
}

// Signs the computer in for one compound (its id): resolves with
// {browser, compound: {id, name, role}}. The same refusals as scanDeskCode.
function confirmDeskLogin(ticket, compound) {
  return request({ url: `${BASE}/confirm`, method: 'POST', data: { ticket, compound } })
}

// {items: [{id, browser, compound: {id, name}, signed_in_at, last_seen_at}]}.
function listDeskSessions() {
  return request({ url: `${BASE}/sessions` })
}

// 退出所有电脑: resolves with {signed_out: n}.
function signOutEverywhere() {
  return request({ url: `${BASE}/sessions`, method: 'DELETE' })
}

// 退出 one computer: resolves with {signed_out: 1}; 404 console_session_not_found.
function signOutComputer(id) {
  return request({ url: `${BASE}/sessions/${id}`, method: 'DELETE' })
}

module.exports = { scanDeskCode, confirmDeskLogin, listDeskSessions, signOutEverywhere, signOutComputer }
