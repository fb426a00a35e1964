// The only module that calls wx.request. Every endpoint function in api/ goes
// through request(); only auth.js uses send() directly (see below).
const { apiBase, REQUEST_TIMEOUT_MS } = require('../config/index')

const NETWORK_MESSAGE = '网络不给力，请稍后再试'
const FALLBACK_MESSAGE = '服务器出了点问题，请稍后再试'

// A failed API call: `message` is Chinese and meant for the user. Callers read
// its fields (status, code, details) rather than using instanceof, which ES5
// transpiling of `extends Error` does not preserve.
class ApiError extends Error {
  constructor({ status, code, message, details }) {
    super(message)
    this.name = 'ApiError'
    this.status = status
    this.code = code
    this.details = details
  }
}

function fullUrl(url) {
  return /^https?:\/\//.test(url) ? url : apiBase() + url
}

function authHeader() {
  const token = wx.getStorageSync('token')
  return token ? { Authorization: `Bearer ${token}` } : {}
}

// Build an ApiError from the server's envelope {code, message, details?};
// a body that is not the envelope (a proxy's HTML page) gets a generic message.
function errorFromResponse(res) {
  const body = res.data && typeof res.data === 'object' ? res.data : {}
  return new ApiError({
    status: res.statusCode,
    code: body.code || `http_${res.statusCode}`,
    message: body.message || FALLBACK_MESSAGE,
    details: body.details,
  })
}

// One HTTP round trip, no re-login. Resolves with the body of a 2xx response.
function send({ url, method = 'GET', data }) {
  return new Promise((resolve, reject) => {
    wx.request({
      url: fullUrl(url),
      method,
      data,
      header: Object.assign({ 'Content-Type': 'application/json' }, authHeader()),
      timeout: REQUEST_TIMEOUT_MS,
      success(res) {
        const ok = res.statusCode >= 200 && res.statusCode < 300
        ok ? resolve(res.data) : reject(errorFromResponse(res))
      },
      fail() {
        reject(new ApiError({ status: 0, code: 'network_error', message: NETWORK_MESSAGE }))
      },
    })
  })
}

// send(), plus one silent re-login and retry when the token was refused.
// auth.js is required here rather than at the top because it depends on send().
function request(options) {
  return send(options).catch((err) => {
    if (err.status !== 401) throw err
    const { login } = require('./auth')
    return login().then(() => send(options))
  })
}

module.exports = { request, send, ApiError }
