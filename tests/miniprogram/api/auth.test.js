/**
 * @jest-environment node
 */
const path = require('path')
const { ROOT, installWx: install, requestsMade, signedIn } = require('../helpers/wx')

// A release build: the one residents run, which signs in with wx.login's code
// (a develop build against a local API signs in as a demo user: demo-login.test.js).
const installWx = (options = {}) => install(Object.assign({ envVersion: 'release' }, options))

const USER = { id: 7, nickname: null, roles: [], households: [] }

function loadAuth() {
  let auth
  jest.isolateModules(() => {
    auth = require(path.join(ROOT, 'api/auth.js'))
  })
  return auth
}

test('login exchanges the wx.login code and stores token, expiry and user', async () => {
  const { wx, server, store } = installWx()
  server.on('POST /api/v1/auth/login', {
    status: 200,
    body: { token: 'tok-1', expires_in: 7200, user: USER },
  })
  const before = Date.now()
  await expect(loadAuth().login()).resolves.toEqual(USER)
  expect(wx.request.mock.calls[0][0].data).toEqual({ code: 'wx-code-1' })
  expect(store.get('token')).toBe('tok-1')
  expect(store.get('user')).toEqual(USER)
  expect(store.get('tokenExpiresAt')).toBeGreaterThanOrEqual(before + 7200 * 1000)
})

test('a failed wx.login rejects with a Chinese message and calls no API', async () => {
  const { wx } = installWx()
  wx.login.mockImplementation(({ fail }) => fail({ errMsg: 'login:fail' }))
  await expect(loadAuth().login()).rejects.toMatchObject({ message: '微信登录失败，请稍后再试' })
  expect(wx.request).not.toHaveBeenCalled()
})

test('ensureLogin does nothing while the stored token is valid', async () => {
  const { wx } = installWx({ storage: signedIn({ user: USER }) })
  await expect(loadAuth().ensureLogin()).resolves.toEqual(USER)
  expect(wx.login).not.toHaveBeenCalled()
  expect(wx.request).not.toHaveBeenCalled()
})

test('ensureLogin logs in when the stored token has expired', async () => {
  const { wx, server, store } = installWx({
    storage: { token: 'old', tokenExpiresAt: Date.now() - 1000, user: USER },
  })
  server.on('POST /api/v1/auth/login', {
    status: 200,
    body: { token: 'tok-2', expires_in: 7200, user: USER },
  })
  await loadAuth().ensureLogin()
  expect(wx.login).toHaveBeenCalledTimes(1)
  expect(requestsMade(wx)).toEqual(['POST /api/v1/auth/login'])
  expect(store.get('token')).toBe('tok-2')
})

test('ensureLogin logs in when there is no token at all', async () => {
  const { wx, server } = installWx()
  server.on('POST /api/v1/auth/login', {
    status: 200,
    body: { token: 'tok-3', expires_in: 7200, user: USER },
  })
  await loadAuth().ensureLogin()
  expect(wx.login).toHaveBeenCalledTimes(1)
})

test('logout forgets the token and the user', () => {
  const { store } = installWx({ storage: signedIn({ user: USER }) })
  const auth = loadAuth()
  auth.logout()
  expect(store.has('token')).toBe(false)
  expect(auth.getUser()).toBeNull()
})
