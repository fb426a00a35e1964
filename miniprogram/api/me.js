const { request } = require('./request')

// The signed-in user: {id, nickname, roles: [...], households: [...]}.
function getMe() {
  return request({ url: '/api/v1/me' })
}

// My binding requests, newest first: {items: [...]}.
function myBindings() {
  return request({ url: '/api/v1/me/bindings' })
}

module.exports = { getMe, myBindings }
