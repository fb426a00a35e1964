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

// The template ids the user accepted in wx.requestSubscribeMessage.
function recordSubscriptions(accepted) {
  return request({ url: '/api/v1/me/subscriptions', method: 'POST', data: { accepted } })
}

// In-person return visits I am to make (liaisons): {items: [...]}.
function myTasks() {
  return request({ url: '/api/v1/me/tasks' })
}

module.exports = { getMe, myBindings, notifications, markRead, recordSubscriptions, myTasks }
