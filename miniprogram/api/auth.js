// Sign-in: wx.login code → our token, kept in storage with its expiry.
const { send, ApiError } = require('./http')
const { demoOpenid } = require('../config/index')

// Treat a token this close to expiry as already expired.
const EXPIRY_MARGIN_MS = 60 * 1000

// Shared by every caller while a login is running, so that parallel 401s
// (or a page and a 401 retry) trigger one wx.login.
let inflight = null

function wxLoginCode() {
  return new Promise((resolve, reject) => {
    const failed = () =>
      reject(new ApiError({ status: 0, code: 'wx_login_failed', message: '微信登录失败，请稍后再试' }))
    wx.login({
      success: (res) => (res.code ? resolve(res.code) : failed()),
      fail: failed,
    })
  })
}

// Uses send(), not request(): a refused login must not trigger another login.
// A develop build against a local API signs in as a demo user of the sandbox
// (config/index.js demoOpenid); every other build with wx.login's code.
async function signIn() {
  const demo = demoOpenid()
  const code = demo ? `demo-${demo}` : await wxLoginCode()
  const body = await send({ url: '/api/v1/auth/login', method: 'POST', data: { code } })
  wx.setStorageSync('token', body.token)
  wx.setStorageSync('tokenExpiresAt', Date.now() + body.expires_in * 1000)
  wx.setStorageSync('user', body.user)
  wx.setStorageSync('demoSignedIn', demo)
  return body.user
}

// Log in (again) and return the user.
function login() {
  if (!inflight) {
    const done = () => {
      inflight = null
    }
    inflight = signIn()
    inflight.then(done, done)
  }
  return inflight
}

// A token got as another demo user than the one now chosen does not count,
// so that changing 'demoOpenid' signs in again.
function hasValidToken() {
  const token = wx.getStorageSync('token')
  const expiresAt = Number(wx.getStorageSync('tokenExpiresAt')) || 0
  const demo = wx.getStorageSync('demoSignedIn')
  const sameUser = !demo || demo === demoOpenid()
  return Boolean(token) && expiresAt - EXPIRY_MARGIN_MS > Date.now() && sameUser
}

// Log in only when there is no unexpired token. Resolves with the stored user.
function ensureLogin() {
  return hasValidToken() ? Promise.resolve(getUser()) : login()
}

function getUser() {
  return wx.getStorageSync('user') || null
}

function logout() {
  for (const key of ['token', 'tokenExpiresAt', 'user', 'demoSignedIn']) wx.removeStorageSync(key)
}

module.exports = { login, ensureLogin, getUser, logout }
