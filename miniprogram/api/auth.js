// Sign-in: wx.login code → our token, kept in storage with its expiry.
const { send, ApiError } = require('./http')

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
async function signIn() {
  const code = await wxLoginCode()
  const body = await send({ url: '/api/v1/auth/login', method: 'POST', data: { code } })
  wx.setStorageSync('token', body.token)
  wx.setStorageSync('tokenExpiresAt', Date.now() + body.expires_in * 1000)
  wx.setStorageSync('user', body.user)
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

function hasValidToken() {
  const token = wx.getStorageSync('token')
  const expiresAt = Number(wx.getStorageSync('tokenExpiresAt')) || 0
  return Boolean(token) && expiresAt - EXPIRY_MARGIN_MS > Date.now()
}

// Log in only when there is no unexpired token. Resolves with the stored user.
function ensureLogin() {
  return hasValidToken() ? Promise.resolve(getUser()) : login()
}

function getUser() {
  return wx.getStorageSync('user') || null
}

function logout() {
  for (const key of ['token', 'tokenExpiresAt', 'user']) wx.removeStorageSync(key)
}

module.exports = { login, ensureLogin, getUser, logout }
