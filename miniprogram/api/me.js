const { request } = require('./request')
const { toQuery } = require('../utils/query')

// The signed-in user: {id, nickname, roles: [...], households: [...]}.
function getMe() {
  return request({ url: '/api/v1/me' })
}

// My binding requests, newest first: {items: [...]}.
function myBindings() {
  return request({ url: '/api/v1/me/bindings' })
}

// My inbox, newest first: {items, unread, next_before}.
function notifications({ before, limit } = {}) {
  return request({ url: `/api/v1/me/notifications${toQuery({ before, limit })}` })
}

// ids: the notifications to mark read, or null for all of them. Resolves with {marked}.
function markRead(ids) {
  return request({ url: '/api/v1/me/notifications/read', method: 'POST', data: { ids } })
}

// The template ids the user accepted in wx.requestSubscribeMessage. Resolves
// with {quotas, official_account_enabled, official_account_linked, messages}
// (see mySubscriptions).
function recordSubscriptions(accepted) {
  return request({ url: '/api/v1/me/subscriptions', method: 'POST', data: { accepted } })
}

// How each message reaches me now: {official_account_enabled,
// official_account_linked, messages: [{name, template_id, channel:
// official_account|subscribe|inbox, remaining}]}.
function mySubscriptions() {
  return request({ url: '/api/v1/me/subscriptions' })
}

// In-person return visits I am to make (liaisons): {items: [...]}.
function myTasks() {
  return request({ url: '/api/v1/me/tasks' })
}

module.exports = { getMe, myBindings, notifications, markRead, recordSubscriptions, mySubscriptions, myTasks }
